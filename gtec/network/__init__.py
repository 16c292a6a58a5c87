"""Partner network (issue 16): organisations and their duplicates, contacts with only the personal data needed,
collaborations, the interaction log and the reciprocity indicator. Plain Python over the workspace."""
