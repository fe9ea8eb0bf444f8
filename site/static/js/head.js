// Loaded in <head>, before the first paint: styles written for pages with JavaScript (".js …", e.g. a
// survey shown one step at a time) apply from the start, so nothing jumps when site.js runs.
document.documentElement.classList.add("js");
