# Helpers shared by the integration scripts (sourced).
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# expect_error NAME REGEX CMD...: CMD must exit 1 and print exactly one line
# matching REGEX on stderr.
expect_error() {
	local name=$1 re=$2
	shift 2
	local err rc
	err=$("$@" 2>&1 >/dev/null </dev/null)
	rc=$?
	if [ $rc -ne 1 ]; then
		fail "$name: exit status $rc, wanted 1 ($err)"
	elif [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
		fail "$name: wanted one line, got: $err"
	elif ! grep -Eq -- "$re" <<<"$err"; then
		fail "$name: '$err' does not match '$re'"
	else
		pass "$name: $err"
	fi
}

# make_test_initramfs SCRIPT OUT: the default initramfs with SCRIPT
# appended as /test.sh (a second gzip'd cpio archive). A script with a line
# "# needs: guest-tools" also gets build/guest/tools.cpio.gz (mke2fs,
# e2fsck, socat).
make_test_initramfs() {
	local script=$1 out=$2 dir
	dir=$(mktemp -d)
	install -m 755 "$script" "$dir/test.sh"
	{
		cat "$root/build/guest/initramfs.cpio.gz"
		if grep -q '^# needs: guest-tools' "$script"; then
			cat "$root/build/guest/tools.cpio.gz"
		fi
		(cd "$dir" && echo test.sh | cpio -o -H newc -R 0:0 --quiet | gzip)
	} >"$out"
	rm -rf "$dir"
}
