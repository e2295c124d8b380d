// The build plugin generates this module from the *.yaml specs beside this file: every spec
// feature, so that each one is compiled and its generated tests run (Tests/KitchenSink/SpecTests).
