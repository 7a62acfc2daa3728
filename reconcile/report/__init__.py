"""What a run shows and writes: plots, the HTML report, run information and citations, the
declared outputs and their atomic writing."""
