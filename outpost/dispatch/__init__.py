"""Dispatched verification orders (调度指令 · 落地核查).

A higher level sends the station a list of people to verify on the ground, as a workbook
with its own columns, order number and deadline. This app imports such an order keeping
every row and its original columns, matches each item to a resident with the screening
engine (same rules, same remembered decisions, same review), routes it to the responsible
community police officer by the resident's unit (unmatched items wait at the station's duty
desk), records what the officer found, and writes the feedback workbook in the order's own
column order. DESIGN.md lists dispatch orders under ``keypersons``; they live in their own
app because an order has its own import, matching, routing and feedback export, and an
order item need not be a key person (only "found and under management" makes one, through
`outpost.keypersons.services.key_person_create`), so the two can grow independently.
"""
