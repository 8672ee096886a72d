"""The bodies of the records a phone queues (visits take the registry API's `VisitIn`)."""

from ninja import Schema

from outpost.core.api_support import Code, Line, Note


class ContactBody(Schema):
    key_person_id: int
    channel: Code
    outcome: Code
    note: Note = ""


class CheckInBody(Schema):
    episode_id: int
    temperature: Line
    symptoms: list[Code] = []
    note: Note = ""
