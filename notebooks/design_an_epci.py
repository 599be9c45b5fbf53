# %% [markdown]
# # Designing the FTTH network of one EPCI, and two what-ifs
#
# A planner's notebook (percent format: open it in Jupyter with jupytext, in VS Code, or run it
# as a script). It uses only bthd's public API. The premises, roads and copper plant are
# **synthetic** (seeded) — the communes, their locaux and the Arcep 2018 figures are real.

# %%
from bthd.network.design import PUBLISHED_COST_PER_PRISE, design
from bthd.region import Region
from bthd.settings import COSTS, DESIGN

EPCI = "200069391"  # CA Lamballe Terre et Mer, home of a BTHD tranche-1 town
region = Region.embedded(epci=EPCI)
print(f"{len(region.communes)} communes, {len(region.premises):,} address points (synthetic)")

# %% [markdown]
# ## The reference design

# %%
base = design(region)
print(base.sites["site_type"].value_counts().to_dict())
print(
    f"cost per prise: {base.cost_per_prise():,.0f} € "
    f"({base.cost_per_prise(drops=True):,.0f} € with final connections)"
)
for label, value in PUBLISHED_COST_PER_PRISE.items():
    print(f"  published: {label}: {value:,.0f} €")
base.bom[["category", "item", "quantity", "cost_eur"]]

# %% [markdown]
# ## What if Orange's ducts could not be reused (every duct becomes a new trench)?

# %%
costly = COSTS.model_copy(update={"duct_reuse": COSTS.new_trench})
no_ducts = design(region, works_costs=costly, polygons=False)
print(
    f"cost per prise without duct reuse: {no_ducts.cost_per_prise():,.0f} € "
    f"(+{no_ducts.cost_per_prise() - base.cost_per_prise():,.0f} €)"
)

# %% [markdown]
# ## What if PM zones had to stay within communes?

# %%
within = design(region, within="commune", polygons=False)
pm = within.sites[within.sites["site_type"] == "PM"]
print(
    f"{len(pm)} PMs (reference: {(base.sites['site_type'] == 'PM').sum()}), "
    f"{(pm['flag'] != '').sum()} flagged; cost per prise {within.cost_per_prise():,.0f} €"
)
print(f"PM target {DESIGN.pm_target_lines} lines; the flags say which zones cannot reach 300.")

# %% [markdown]
# ## The most expensive PM zones, and where they are

# %%
worst = base.cost_by_pm.sort_values("cost_per_prise", ascending=False).head(5)
zones = base.zones
if zones is not None:
    worst = worst.merge(
        zones[zones["zone_kind"] == "ZPM"][["zone_id", "area_km2"]],
        left_on="pm_id",
        right_on="zone_id",
    )
worst
