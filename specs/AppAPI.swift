// The build plugin generates this module from the *.yaml specs beside this file.
