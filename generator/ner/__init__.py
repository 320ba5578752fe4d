"""Named-entity recognition: a CRF tagger trained from ANERcorp (see train.py)."""
