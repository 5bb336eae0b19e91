"""The mail backend of a server with no mail configured (EMAIL_URL unset, DEBUG off).

It sends nothing and writes nothing of the message to the log: an email can hold a
password-reset link or a person's ferritin value. The features that need mail check
settings.MAIL_CONFIGURED and do without it; this backend only catches what slips past.
"""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if email_messages:
            logger.warning(
                "%s email(s) not sent: no mail is configured (set EMAIL_URL)",
                len(email_messages),
            )
        return 0
