(function f(){console.log('('+f+')()')})()
