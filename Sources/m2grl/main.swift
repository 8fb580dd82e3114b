print("m2grl")
