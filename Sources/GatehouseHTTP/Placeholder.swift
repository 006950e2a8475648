enum PlaceholderGatehouseHTTP {}
