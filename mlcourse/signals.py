"""Hooks into the Open edX platform, connected only when the platform is there (see apps.ready)."""
import logging

log = logging.getLogger(__name__)


def retire_user_data(sender, user=None, **kwargs):  # noqa: ARG001 - signal signature
    """USER_RETIRE_LMS_MISC: erase this user's personal data in every mlcourse activity."""
    from common.djangoapps.student.models import AnonymousUserId  # noqa: PLC0415 - platform-only import

    from mlcourse.services.privacy import retire_learner  # noqa: PLC0415

    if user is None:
        return
    ids = list(AnonymousUserId.objects.filter(user=user).values_list("anonymous_user_id", flat=True))
    count = retire_learner(ids)
    log.info("mlcourse: retired %s participant record(s) for user %s", count, user.id)


def connect_platform_signals() -> bool:
    try:
        from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_MISC  # noqa: PLC0415
    except ImportError:
        return False
    USER_RETIRE_LMS_MISC.connect(retire_user_data, dispatch_uid="mlcourse_retire_user_data")
    return True
