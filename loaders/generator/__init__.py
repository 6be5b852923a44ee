"""The synthetic city generator behind ``loaders.generate``, one module per concern:

* ``cities``: the province and its cities (Xiangyang first), each with its districts and names
* ``world``: scales, districts, streets, communities, employers, property firms
* ``places`` and ``people``: a community's grids, compounds, buildings, entrances and people
* ``party``: party orgs, memberships, residence registrations, members' 双报到
* ``committees``: owners' and self-management committees and their seats
* ``roles``: heads, supervisors, liaisons, property service, community facilities
* ``community``: fills one community; ``context``, ``rates``, ``idents``, ``names``, ``output``
"""
