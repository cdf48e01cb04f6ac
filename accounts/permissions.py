"""DRF permissions by desk role (accounts.roles), for the API views of every app."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import Role, is_agent, role_for


class IsAgent(BasePermission):
    """Agents and supervisors."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_agent(request.user))


class IsSupervisor(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and role_for(user) is Role.SUPERVISOR)


class AgentsReadSupervisorsWrite(BasePermission):
    """Agents read; supervisors also write (queues' and macros' way)."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return IsAgent().has_permission(request, view)
        return IsSupervisor().has_permission(request, view)
