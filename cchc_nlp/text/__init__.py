"""The text core: normalization (`normalize`), sentences and words (`segment`), numbers
(`numbers`), dates and periods (`dates`), and the spaCy pipeline that runs the taggers
on a Doc whose text is the normalized text (`pipeline`).

This __init__ imports nothing: the light modules (normalize, numbers, dates) are usable
without loading spaCy.
"""
