// writes into the real home directory (not $HOME, which is the run folder): read-only there
require("fs").writeFileSync("@HOME@/@MARKER@", "escaped");
