"""Requests (诉求) and the donations ledger (捐赠物资台账) of the enterprises module.

An enterprise's liaison files a request (supplies, staff return, green channel, dormitory,
other), the station assigns it to an officer, who records steps and closes it with an
outcome; the enterprise confirms or reopens it. Donations are received into a unit's store
(ledger line IN) and distributed to enterprises or units, against their requests where
they asked (ledger line OUT); the stock on hand of each item in each store is a row the
database keeps at zero or above. A request's delivered quantities are its distributions'
ledger lines, read in the same query as the request.
"""
