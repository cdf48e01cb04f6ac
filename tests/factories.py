"""Factories that go through the services, so every ticket has a consistent history."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tickets import services
from tickets.models import Category, Priority, Status, Ticket

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    is_staff = True

    @factory.post_generation
    def group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name="Agents")[0])


class SupervisorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    is_staff = True

    @factory.post_generation
    def group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name="Supervisors")[0])


class TicketFactory(factory.django.DjangoModelFactory):
    """A `new` ticket made by services.ticket_create. Use ticket_in() for other statuses."""

    class Meta:
        model = Ticket

    requester = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Withdrawal #{n} has not arrived")
    description = "I sent USDT on TRC20 two hours ago and it is still not in my wallet."
    category = Category.DEPOSIT_WITHDRAWAL
    priority = Priority.NORMAL

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.ticket_create(**kwargs)


# The agent's steps from `new` to each status (closing an open ticket needs a reason).
PATH_FROM_NEW = {
    Status.NEW: [],
    Status.OPEN: [Status.OPEN],
    Status.PENDING: [Status.PENDING],
    Status.ON_HOLD: [Status.ON_HOLD],
    Status.RESOLVED: [Status.RESOLVED],
    Status.CLOSED: [Status.CLOSED],
}


def ticket_in(status: str, *, agent, **kwargs) -> Ticket:
    """A ticket brought to `status` by `agent` through the lifecycle."""
    ticket = TicketFactory(**kwargs)
    for step in PATH_FROM_NEW[Status(status)]:
        ticket = services.ticket_transition(
            ticket=ticket, to=step, actor=agent, reason="test setup"
        )
    return ticket
