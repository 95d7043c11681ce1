module dockerplusplus/labkit-net

go 1.22
