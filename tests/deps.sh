#!/bin/sh
# Makes sure the Debian packages that build and test wprofck are installed.
# As root the missing ones are installed with apt-get; otherwise this prints
# the command to run and fails.

pkgs="pkg-config zlib1g-dev libbsd-dev bats bats-assert bats-support mandoc jq valgrind time"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: no dpkg-query, not Debian; make sure these are" \
	    "installed: $pkgs" >&2
	exit 0
fi

missing=
for p in $pkgs; do
	case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
	*" ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps.sh: installing$missing"
	DEBIAN_FRONTEND=noninteractive
	export DEBIAN_FRONTEND
	# shellcheck disable=SC2086
	apt-get update && apt-get install -y --no-install-recommends $missing
	exit
fi
echo "deps.sh: missing Debian packages:$missing" >&2
echo "deps.sh: run: sudo apt-get install$missing" >&2
exit 1
