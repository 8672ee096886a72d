"""Outpost: the epidemic-response platform of a community police station (派出所) and its partners."""
