import factory

from outpost.notify.choices import MessageKind
from outpost.notify.models import InboxMessage


class InboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboxMessage

    kind = MessageKind.ASSIGNMENT
    subject = factory.Sequence(lambda n: f"四包一任务 {n}")
    body = "请于今日内联系。"


def _message_of(user) -> int:
    return InboxMessageFactory(recipient=user).pk


# Routes of one user's own message: only the recipient may open it.
OWNER_ONLY_FACTORIES = {"notify:message_detail": _message_of}
