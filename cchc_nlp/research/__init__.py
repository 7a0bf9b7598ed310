"""Research tools around the extraction: the gold sets, the evaluations, training the
metric classifier, charts and the HTML report. Nothing in the extraction path imports
this package."""
