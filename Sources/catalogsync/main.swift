print("catalogsync")
