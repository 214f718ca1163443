# Writes a native extension into the run folder and imports it (its C code would have no
# audit hook at all).
import glob, os, sys, sysconfig
suffix = sysconfig.get_config_var("EXT_SUFFIX")
source = glob.glob(os.path.join(sysconfig.get_path("platstdlib"), "lib-dynload", "_json" + suffix))[0]
with open(source, "rb") as original, open("_json" + suffix, "wb") as copy:
    copy.write(original.read())
sys.path.insert(0, os.getcwd())
sys.modules.pop("_json", None)
import _json
print("escaped")
