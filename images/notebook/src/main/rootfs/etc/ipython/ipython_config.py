# Every IPython kernel of the platform's notebook images: %sql connected to the platform's Trino as the logged-in
# user (dataplatform_notebook; outside the hub it prints why not and the kernel starts anyway).
c.InteractiveShellApp.extensions = ["dataplatform_notebook"]
