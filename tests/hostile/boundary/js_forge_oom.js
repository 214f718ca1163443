// Prints what node prints when its heap runs out, to be reported as status memory.
console.error('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
console.log('Out Of Memory');
process.exit(134);
