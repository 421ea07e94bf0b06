"""Hamyar: what brings members back. Referral codes and who brought whom (referrals.py), nudges for
members who never paid or stopped coming (nudges.py, a scheduled job), the operator's announcements
and the in-app inbox (inbox.py), and a member's money across all their boxes (mymoney.py)."""
