module runc-capfix

go 1.22
