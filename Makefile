GO      ?= go
BIN     := bin
PKGS    := ./...
LISTEN  ?= 127.0.0.1:6385

# TAGS turns on the tests of the cgo engines (go-ceph against Ceph 16.2
# "pacific", libvirt.org/go/libvirt); without them stubs stand in.
TAGS    := ceph,pacific,libvirt

.PHONY: run build test deps kube lint bench fuzz clean

## run: build and start stx-controller on the embedded defaults (SQLite under ~/.local/state/flock)
run: build
	@echo "stx-controller on http://$(LISTEN); in another terminal try:"
	@echo "  $(BIN)/stx alarm-raise --alarm-id 100.101 --eid host=controller-0 --severity major"
	@echo "  $(BIN)/stx alarm-list"
	@echo "  $(BIN)/stx alarm-summary"
	@echo "  $(BIN)/stx event-list"
	@echo "(the CLI reads the admin token the controller writes on first start)"
	exec $(BIN)/stx-controller --listen $(LISTEN)

build:
	$(GO) build -o $(BIN)/ ./cmd/...

## deps: install what the tests need (Debian packages), once
deps:
	./scripts/install-deps.sh

## kube: build kube-apiserver and kube-controller-manager, once (cached by version)
kube:
	./scripts/build-kube.sh >/dev/null

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@2025.1.1

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) vet -tags $(TAGS) $(PKGS)
	$(GO) run $(STATICCHECK) -tags $(TAGS) $(PKGS)
	CGO_ENABLED=0 $(GO) build $(PKGS)

## test: install what the tests need, then vet and run every test
# (the apt step and the Kubernetes build run side by side: one waits on the
# network and dpkg, the other on the CPU)
test:
	$(MAKE) --no-print-directory -j2 deps kube
	$(MAKE) --no-print-directory lint
	FLOCK_KUBE_BIN=$$(./scripts/build-kube.sh) $(GO) test -race -count=1 -tags $(TAGS) -timeout 30m $(PKGS)

## bench: the figures of docs/benchmarks.md
bench:
	$(GO) test -run '^$$' -bench . -benchtime 5s -count 3 -timeout 60m ./fault/ ./fault/faultsql/ ./stx/

clean:
	rm -rf $(BIN)

.PHONY: bench-deps bench-peers

## bench-deps: install what bench-peers needs besides make test's deps
## (Debian's prometheus-alertmanager), once
bench-deps:
	@dpkg -s prometheus-alertmanager >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  echo "bench-deps: installing prometheus-alertmanager"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq && \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null; }

## bench-peers: the real stx-controller process against Prometheus
## Alertmanager, one markdown table (tools/benchpeers; not part of test).
## A quick check: make bench-peers BENCH_PEERS_FLAGS='-alarms 10000 -duration 3s -rounds 1'
BENCH_PEERS_FLAGS ?=
bench-peers: bench-deps build
	$(GO) run ./tools/benchpeers -controller $(BIN)/stx-controller $(BENCH_PEERS_FLAGS)
