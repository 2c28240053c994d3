"""xlwings Server loads ``routers.custom`` from the project folder and adds its ``router``."""
