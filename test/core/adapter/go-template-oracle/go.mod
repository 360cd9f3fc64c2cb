module gpu-hpa-webhook/go-template-oracle

go 1.22
