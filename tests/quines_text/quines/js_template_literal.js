const a=x=>console.log(`const a=${a};a()`);a()
