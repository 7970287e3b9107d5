print("hmaml")
