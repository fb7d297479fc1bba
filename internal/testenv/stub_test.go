package testenv_test

import "errors"

// errNoTag is why a cgo component's tests did not run.
var errNoTag = errors.New("built without its build tag")
