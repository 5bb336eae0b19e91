"""Sharing's own records (invitations, transfers). The memberships themselves live in
tracking (tracking/memberships.py), because every lookup of a person reads them."""
