module dataplatform.io/kubernetes/pause

go 1.26.0
