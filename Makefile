GO      ?= go
BIN     := bin
PKGS    := ./...
LISTEN  ?= 127.0.0.1:6385

.PHONY: run build test deps kube lint bench fuzz clean

## run: build and start stx-controller on the embedded defaults (SQLite under ~/.local/state/flock)
run: build
	@echo "stx-controller on http://$(LISTEN); in another terminal try:"
	@echo "  $(BIN)/stx alarm-raise --alarm-id 100.101 --eid host=controller-0 --severity major"
	@echo "  $(BIN)/stx alarm-list"
	@echo "  $(BIN)/stx alarm-summary"
	@echo "  $(BIN)/stx event-list"
	@echo "  $(BIN)/stx host-add -n controller-0 -p controller -m MAC_OF_THIS_MACHINE --agent-token-file agent.token"
	@echo "  $(BIN)/stx-agent --controller http://$(LISTEN) --token-file agent.token --state-dir /tmp/stx-agent --applier dry-run:/tmp/stx-agent-root --reboot exec --goenabled-dir /tmp/stx-agent-goenabled.d --services-dir /tmp/stx-agent-services.d"
	@echo "  $(BIN)/stx host-list; $(BIN)/stx host-cpu-list controller-0; $(BIN)/stx show"
	@echo "  $(BIN)/stx host-unlock controller-0   # host maintenance: the agent reboots (re-executes), is tested and enabled"
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

# The Go modules of the repository (go.work joins the same): the core, which
# requires no Kubernetes, Helm, Ceph, libvirt or OpenStack module, and one
# module per heavy engine family under engines/. tools/kube is not one of
# them: it is scripts/build-kube.sh's recipe.
MODULES := core ceph kube libvirt openstack
dir.core      := .
dir.ceph      := engines/ceph
dir.kube      := engines/kube
dir.libvirt   := engines/libvirt
dir.openstack := engines/openstack
# The cgo engines' tests (go-ceph against Ceph 16.2 "pacific",
# libvirt.org/go/libvirt) build only with these tags; without them a stub
# test stands in, which fails under CI.
tags.ceph     := ceph,pacific
tags.libvirt  := libvirt
TAGS = $(if $(tags.$*),-tags $(tags.$*))
# What a module's tests need in their environment: the Kubernetes binaries
# of scripts/build-kube.sh (built by the kube target, so only looked up).
env.kube      := FLOCK_KUBE_BIN=$$($(CURDIR)/scripts/build-kube.sh)

# Every module is checked and tested against its own go.mod, as a user of
# it builds it, not against the versions the workspace joins.
export GOWORK := off

# A module version the Go module proxy serves (it refuses the year tags
# such as 2025.1.1); 0.8.x is staticcheck 2026.2, built for Go 1.26.
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

LINT := $(addprefix lint-,$(MODULES))
TEST := $(addprefix test-,$(MODULES))
TIDY := $(addprefix tidy-,$(MODULES))
.PHONY: modules $(LINT) $(TEST) $(TIDY) tidy

## lint: gofmt, the module list, then per module go vet (with and without
## its tags), go mod tidy -diff, staticcheck and CGO_ENABLED=0 go build
lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(MAKE) --no-print-directory modules
	$(MAKE) --no-print-directory $(LINT)

$(LINT): lint-%:
	cd $(dir.$*) && $(GO) vet ./...
	$(if $(tags.$*),cd $(dir.$*) && $(GO) vet $(TAGS) ./...)
	cd $(dir.$*) && $(GO) mod tidy -diff
	cd $(dir.$*) && $(STATICCHECK) $(TAGS) ./...
	cd $(dir.$*) && CGO_ENABLED=0 $(GO) build ./...

# modules: go.work, MODULES above and the go.mod files on disk name the same
# modules, so that none is left out of the workspace or of make test.
modules:
	@want=$$(for d in $(foreach m,$(MODULES),$(dir.$(m))); do (cd $$d && pwd -P); done | sort); \
	work=$$(GOWORK=$(CURDIR)/go.work $(GO) list -m -f '{{.Dir}}' | sort); \
	disk=$$(find . -name go.mod -not -path './tools/*' -not -path './.git/*' | while read f; do (cd "$$(dirname "$$f")" && pwd -P); done | sort); \
	if [ "$$want" != "$$work" ] || [ "$$want" != "$$disk" ]; then \
	  printf 'modules disagree:\n-- Makefile MODULES --\n%s\n-- go.work --\n%s\n-- go.mod files --\n%s\n' "$$want" "$$work" "$$disk"; exit 1; fi

## test: install what the tests need, then lint and run every module's tests
# (the apt step and the Kubernetes build run side by side: one waits on the
# network and dpkg, the other on the CPU; the modules' tests run side by side
# too, as much of their time is spent waiting for daemons to start)
test:
	$(MAKE) --no-print-directory -j2 deps kube
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory -j3 $(TEST)

$(TEST): test-%:
	cd $(dir.$*) && $(env.$*) $(GO) test -race -count=1 $(TAGS) -timeout 30m ./...

## tidy: go mod tidy in every module (after a change to the core's go.mod,
## the engine modules' go.sum follows it)
tidy: $(TIDY)
$(TIDY): tidy-%:
	cd $(dir.$*) && $(GO) mod tidy

## bench: the figures of docs/benchmarks.md
bench:
	$(GO) test -run '^$$' -bench . -benchtime 5s -count 3 -timeout 60m ./fault/ ./fault/faultsql/ ./inventory/ ./inventory/inventorysql/ ./inventory/hwdiscovery/ ./hostmgmt/heartbeat/ ./hostmgmt/redfishbmc/ ./hostmgmt/ipmibmc/ ./hostmgmt/qemubmc/ ./hostmgmt/bmcsim/ ./cmd/stx-agent/ ./stx/ ./ha/hapeer/ ./cmd/stx-ha/ ./patching/ ./patching/patchingsql/ ./patching/installer/

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
