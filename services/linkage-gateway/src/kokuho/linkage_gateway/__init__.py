"""linkage-gateway: the individual-number vault (個人番号) and the door to the outside."""
