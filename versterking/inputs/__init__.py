"""What a run starts from: the scenario (schema, loader, measures' blocks), the starting werkvoorraad
(the embedded reconstruction or an address file) and the files that come with the package."""
