s="s=%j;console.log(s,s)";console.log(s,s)
