"""Number formats for Chinese pages: Django's zh_Hans groups by four digits with no
separator (116782); official statistics and the station's own reports write 116,782."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
