"""Linking spaces and members: codes, moving spaces between groups, merging members.

Split by concept: :mod:`.codes` (the ``link_codes`` table and wrong-attempt counts),
:mod:`.groups` (a group absorbing another, a space leaving) and :mod:`.members`
(merging two members, detaching an identity).
"""
