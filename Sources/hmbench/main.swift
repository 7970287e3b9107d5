print("hmbench")
