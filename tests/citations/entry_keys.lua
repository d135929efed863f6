-- Put each bibliography entry's citation key before it, as a paragraph of its own, so that the
-- plain text of a run citing many items can be split into each item's entry
-- (tests/citations/pandoc_render.py). Run after --citeproc, which makes the entries.
function Div(div)
  local key = div.identifier:match("^ref%-(.+)$")
  if key then
    table.insert(div.content, 1, pandoc.Para({ pandoc.Str("@@entry " .. key) }))
    return div
  end
end
