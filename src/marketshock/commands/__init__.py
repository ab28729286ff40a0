"""Commands beyond the data sections, one module each; importing a module registers its commands on `cli.app`."""
