# zones.mk: mirror every zone of a config file the Make way, one target per
# zone, so `make -j` gives bounded parallelism and a failing zone does not
# stop the others (with -k).
#
#   make -f examples/zones.mk -j4 -k CONFIG=/etc/r53mirror/zones.conf
#   make -f examples/zones.mk CONFIG=zones.conf example.com.   (one zone)
#   make -f examples/zones.mk CONFIG=zones.conf list
#
# Each target runs `mirror.sh --all CONFIG ZONE` (the line(s) of that zone),
# so the config file stays the only list.  All runs on this host share one
# Route 53 token bucket (5 requests/s: R53M_RATE, R53M_RATE_FILE), so -j16
# over hundreds of zones does not cause throttling storms.  Extra options
# for every zone: MIRROR_OPTS="--dry-run" (the command line wins over the
# config's per-zone options).  Installed (make install):
#   make -f zones.mk -j4 MIRROR=/usr/local/bin/r53mirror CONFIG=...

CONFIG ?= /etc/r53mirror/zones.conf
MIRROR ?= $(dir $(lastword $(MAKEFILE_LIST)))../scripts/mirror.sh
MIRROR_OPTS ?=

ZONES := $(shell bash $(MIRROR) --list $(CONFIG))
ifeq ($(strip $(ZONES)),)
$(error no zones in $(CONFIG) (see: bash $(MIRROR) --check-config $(CONFIG)))
endif

.PHONY: all list $(ZONES)
all: $(ZONES)

$(ZONES):
	@bash $(MIRROR) $(MIRROR_OPTS) --all $(CONFIG) -j 1 '$@'

list:
	@printf '%s\n' $(ZONES)
