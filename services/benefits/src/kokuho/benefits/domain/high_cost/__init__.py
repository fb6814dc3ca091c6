"""高額療養費 (high-cost medical expense benefit): limits, the household-month, the calculation.

- :mod:`.limits`: the limit tables, effective-dated by treatment month;
- :mod:`.parse`: a table from its parameter document;
- :mod:`.household_month`: what a calculation takes, and the 21,000-yen claim units;
- :mod:`.calculation`: the calculation and its explanation;
- :mod:`.apportion`: sharing a household amount among persons in whole yen.
"""
