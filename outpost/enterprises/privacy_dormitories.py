"""Dormitory coordination's entries of the processing register (see `outpost.core.privacy`).

An offer and its rooms belong to an enterprise: not personal. A request names one person:
name and phone, when they arrive and how long they stay, and a note. A stay and its
bed-nights only say which bed a request holds on which night; who it is stays on the
request, which retention anonymises."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import EPIDEMIC_RESPONSE, DataCategory, ProcessingDeclaration, personal

C = DataCategory

DORMITORY_PURPOSE = _(
    "Housing staff returning from elsewhere who need no isolation in the idle dormitory "
    "rooms enterprises offer: who needs a bed, when, and how to reach them."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="enterprises.DormitoryOffer",
        other=(
            "id",
            "enterprise",
            "address",
            "available_from",
            "available_until",
            "note",
            "status",
            "created_by",
            "created_at",
        ),
    ),
    ProcessingDeclaration(
        model="enterprises.DormitoryRoom",
        other=("id", "offer", "label", "beds"),
    ),
    ProcessingDeclaration(
        model="enterprises.DormitoryRequest",
        personal={
            "name": C.NAME,
            "phone": C.PHONE,
            "arriving_on": personal(C.WHEREABOUTS, sensitive=False),
            "nights": personal(C.WHEREABOUTS, sensitive=False),
            "note": personal(C.NOTE, sensitive=True),
        },
        other=("id", "enterprise", "status", "closed_on", "created_by", "created_at"),
        purpose=DORMITORY_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.dormitory_request",
    ),
    ProcessingDeclaration(
        model="enterprises.DormitoryStay",
        other=(
            "id",
            "request",
            "room",
            "bed",
            "first_night",
            "last_night",
            "ended_on",
            "end",
            "booked_by",
            "booked_at",
        ),
    ),
    ProcessingDeclaration(
        model="enterprises.DormitoryNight",
        other=("id", "room", "bed", "night", "stay"),
    ),
]
