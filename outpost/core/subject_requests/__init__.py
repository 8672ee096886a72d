"""People's requests about their personal information (个人信息权利请求, PIPL Art. 44–47).

An officer records a person's request to know, copy, correct or delete what Outpost holds
about them (`models.SubjectRequest`), with a deadline of 15 calendar days on the to-do list.
Core knows no app: each app registers, in its ``AppConfig.ready()``, what it holds about a
person and how to anonymise it (`holdings.register_person_holdings`), and the registry
registers how to find a person (`holdings.register_person_finder`). "What we hold about
this person" (`holdings.person_holdings`) is built from those registrations alone.
"""
