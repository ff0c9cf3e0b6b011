<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AcceptDialog</name>
    <message>
        <location filename="../ui/accept_finding.ui" line="8"/>
        <source>Accept finding as an exception</source>
        <translation>将问题接受为例外</translation>
    </message>
    <message>
        <location filename="../ui/accept_finding.ui" line="18"/>
        <source>The finding stays accepted in later audits while its geometry is unchanged; any edit of it lapses.</source>
        <translation>只要该问题的几何不变，后续审核中会一直保持“已接受”；相关网格一经编辑即失效。</translation>
    </message>
    <message>
        <location filename="../ui/accept_finding.ui" line="26"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../ui/accept_finding.ui" line="32"/>
        <source>e.g. a river between the villages, not to be gridded</source>
        <translation>例如：两村之间的河流，不划入网格</translation>
    </message>
    <message>
        <location filename="../ui/accept_finding.ui" line="37"/>
        <source>Accepted by</source>
        <translation>接受人</translation>
    </message>
</context>
<context>
    <name>AllocationOptionsDialog</name>
    <message>
        <location filename="../ui/allocation_options.ui" line="8"/>
        <source>Allocate grid codes</source>
        <translation>分配网格编码</translation>
    </message>
    <message>
        <location filename="../ui/allocation_options.ui" line="12"/>
        <source>Re-code grids whose code does not follow the code rule</source>
        <translation>为编码不符合编码规则的网格重新编码</translation>
    </message>
</context>
<context>
    <name>AllocationPreviewDialog</name>
    <message>
        <location filename="../ui/allocation_preview.ui" line="8"/>
        <source>Allocate grid codes: preview</source>
        <translation>分配网格编码：预览</translation>
    </message>
    <message>
        <location filename="../ui/allocation_preview.ui" line="25"/>
        <source>Applying writes the codes into the layers&apos; edit buffers: save the layers to keep them, or undo.</source>
        <translation>应用后，编码将写入图层的编辑缓存：保存图层即可生效，也可以撤销。</translation>
    </message>
</context>
<context>
    <name>AttachHouseholdsDialog</name>
    <message>
        <location filename="../ui/attach_households.ui" line="10"/>
        <source>Attach households</source>
        <translation>挂接住户</translation>
    </message>
    <message>
        <location filename="../ui/attach_households.ui" line="2"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../ui/attach_households.ui" line="25"/>
        <source>Household count field (blank: one household per point or row)</source>
        <translation>户数字段（留空：每点或每行一户）</translation>
    </message>
    <message>
        <location filename="../ui/attach_households.ui" line="36"/>
        <source>Persons field (blank: &apos;persons&apos; if present)</source>
        <translation>人数字段（留空：如有则使用“persons”）</translation>
    </message>
    <message>
        <location filename="../ui/attach_households.ui" line="47"/>
        <source>Table: grid code field (blank: &apos;grid_code&apos; if present)</source>
        <translation>表格：网格编码字段（留空：如有则使用“grid_code”）</translation>
    </message>
    <message>
        <location filename="../ui/attach_households.ui" line="58"/>
        <source>Replace all grids&apos; counts (grids the table does not name get 0)</source>
        <translation>替换全部网格的户数（表中未列出的网格记为 0）</translation>
    </message>
    <message>
        <location filename="../ui/attach_households.ui" line="63"/>
        <source>CRS of the points (the layer has none)</source>
        <translation>点的坐标参照系（该图层没有）</translation>
    </message>
</context>
<context>
    <name>AuditDock</name>
    <message>
        <location filename="../ui/audit_dock.ui" line="17"/>
        <source>Run audit</source>
        <translation>开始审核</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="18"/>
        <source>Check the workspace: topology, nesting, coverage, codes, size and staffing</source>
        <translation>检查网格工作空间：拓扑、层级嵌套、覆盖范围、编码、规模和人员配备</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="23"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="42"/>
        <source>Code rule</source>
        <translation>编码规则</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="51"/>
        <source>The code rule the audit checks the codes with, e.g. village12+3+3; empty: the workspace&apos;s rule</source>
        <translation>审核网格编码所用的编码规则，例如 village12+3+3；留空则使用网格工作空间的编码规则</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="58"/>
        <source>Open a grid workspace, then run the audit.</source>
        <translation>请打开网格工作空间，然后开始审核。</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="74"/>
        <source>Filter: code, rule or text</source>
        <translation>筛选：编码、规则或文字</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="79"/>
        <source>All severities</source>
        <translation>全部严重程度</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="80"/>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="81"/>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="82"/>
        <source>Notes</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="87"/>
        <source>Show accepted</source>
        <translation>显示已接受的问题</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="93"/>
        <source>Enlarge</source>
        <translation>放大列表</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="94"/>
        <source>Show the findings in a large window of their own (click again to return)</source>
        <translation>在单独的大窗口中显示检查结果（再次点击返回）</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="108"/>
        <source>Finding</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="109"/>
        <source>Grids</source>
        <translation>网格数</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="110"/>
        <source>Count / measure</source>
        <translation>数量/量值</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="117"/>
        <source>Accept…</source>
        <translation>接受…</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="118"/>
        <source>Accept the selected finding as an exception, with a reason</source>
        <translation>将所选问题接受为例外，并填写理由</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="123"/>
        <source>Revoke</source>
        <translation>撤销接受</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="124"/>
        <source>Withdraw the acceptance of the selected finding</source>
        <translation>撤销对所选问题的接受</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="129"/>
        <source>Save acceptances</source>
        <translation>保存接受结果</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="134"/>
        <source>Gap → neighbour</source>
        <translation>空隙 → 相邻网格</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="135"/>
        <source>Give the gap to the grid of the same parent with the longest shared boundary</source>
        <translation>将空隙划给同一上级下共同边界最长的网格</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="140"/>
        <source>Gap → new grid</source>
        <translation>空隙 → 新网格</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="141"/>
        <source>Make the gap a grid of its own</source>
        <translation>将空隙单独设为一个网格</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="146"/>
        <source>Resolve overlap</source>
        <translation>处理重叠</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="147"/>
        <source>Remove each overlap piece from the grid it belongs to less (the shorter shared boundary)</source>
        <translation>将每块重叠部分从与其关系较弱（共同边界较短）的网格中移除</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="152"/>
        <source>Export JSON…</source>
        <translation>导出 JSON…</translation>
    </message>
    <message>
        <location filename="../ui/audit_dock.ui" line="157"/>
        <source>Export HTML…</source>
        <translation>导出 HTML…</translation>
    </message>
</context>
<context>
    <name>ChangeRequestsPanel</name>
    <message>
        <location filename="../ui/change_requests.ui" line="8"/>
        <source>Open a shared workspace (PostGIS) to propose or decide change requests.</source>
        <translation>打开共享工作空间（PostGIS）后，可提交或审批变更申请。</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="16"/>
        <source>Propose my edits…</source>
        <translation>提交我的编辑…</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="17"/>
        <source>Hold your township&apos;s unsaved grid edits as a change request for the county to decide</source>
        <translation>将本乡镇未保存的网格编辑作为变更申请，提交县级审批</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="22"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="49"/>
        <source>Approve…</source>
        <translation>批准…</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="50"/>
        <source>Approve the selected change request with the approval reference (批复文号); only the county role may</source>
        <translation>以批复文号批准所选变更申请；仅县级角色可操作</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="55"/>
        <source>Reject…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="56"/>
        <source>Reject the selected change request with a reason; only the county role may</source>
        <translation>填写理由驳回所选变更申请；仅县级角色可操作</translation>
    </message>
    <message>
        <location filename="../ui/change_requests.ui" line="70"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ChangesPanel</name>
    <message>
        <location filename="../ui/changes_panel.ui" line="29"/>
        <source>Show filed changes</source>
        <translation>显示已备案的变动</translation>
    </message>
    <message>
        <location filename="../ui/changes_panel.ui" line="40"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../ui/changes_panel.ui" line="45"/>
        <source>Mark filed…</source>
        <translation>标记为已备案…</translation>
    </message>
    <message>
        <location filename="../ui/changes_panel.ui" line="46"/>
        <source>Record the selected changes as filed with the level above (undoable).</source>
        <translation>将所选变动记录为已向上级备案（可撤销）。</translation>
    </message>
</context>
<context>
    <name>CommunityGrids</name>
    <message>
        <location filename="../plugin/adapters/arrays.py" line="76"/>
        <source>Layer {layer} has no coordinate reference system (none, or an undefined SRS such as GeoPackage srs_id 0); set its CRS (a projected CRS in metres).</source>
        <translation>图层 {layer} 没有坐标参考系（未设置，或为未定义的 SRS，如 GeoPackage 的 srs_id 0）；请设置其坐标系（以米为单位的投影坐标系）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/arrays.py" line="83"/>
        <source>Layer {layer} is in a CRS measured in {unit} ({crs}); tolerances and areas are in metres: reproject it to a projected CRS in metres (e.g. CGCS2000 / 3-degree Gauss-Kruger).</source>
        <translation>图层 {layer} 的坐标系以{unit}为单位（{crs}）；容差和面积以米计：请将其转换到以米为单位的投影坐标系（如 CGCS2000 / 3 度带高斯-克吕格）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/arrays.py" line="93"/>
        <source>Layer {layer} has no coordinate reference system.</source>
        <translation>图层“{layer}”没有坐标参考系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/arrays.py" line="99"/>
        <source>Layer {layer} is in a geographic CRS ({crs}, degrees); areas and distances need a projected CRS in metres — reproject it or open it through a workspace.</source>
        <translation>图层“{layer}”使用地理坐标系（{crs}，单位为度）；计算面积和距离需要以米为单位的投影坐标系——请先重投影，或通过网格工作空间打开。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/arrays.py" line="139"/>
        <location filename="../plugin/adapters/audit_store.py" line="106"/>
        <source>Layer {layer} holds {kind} geometries; grids must be polygons.</source>
        <translation>图层“{layer}”中是{kind}几何；网格必须是面。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/arrays.py" line="145"/>
        <location filename="../plugin/adapters/package_io.py" line="194"/>
        <source>Layer {layer} has no field &apos;code&apos; (grid code).</source>
        <translation>图层“{layer}”没有“code”（网格编码）字段。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="358"/>
        <source>Give a reason for accepting the finding.</source>
        <translation>请填写接受该问题的理由。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="371"/>
        <source>Accept audit finding {rule} ({codes})</source>
        <translation>接受审核问题 {rule}（{codes}）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="405"/>
        <source>Revoke acceptance of audit finding {rule}</source>
        <translation>撤销对审核问题 {rule} 的接受</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="614"/>
        <source>Audit run {run}</source>
        <translation>审核批次 {run}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="637"/>
        <source>Write the audit findings</source>
        <translation>写入审核结果</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="72"/>
        <source>Layer {layer} has no coordinate reference system; set its CRS (a projected CRS in metres).</source>
        <translation>图层“{layer}”没有坐标参考系；请设置以米为单位的投影坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="78"/>
        <source>Layer {layer} is in a geographic CRS ({crs}, degrees); the audit measures areas and widths in metres: reproject it to a projected CRS (e.g. CGCS2000 / 3-degree Gauss-Kruger).</source>
        <translation>图层“{layer}”使用地理坐标系（{crs}，单位为度）；审核以米为单位计算面积和宽度，请将其重投影到投影坐标系（如 CGCS2000 / 3 度带高斯-克吕格投影）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="97"/>
        <source>Layer {layer} has no geometry; grids must be polygons.</source>
        <translation>图层“{layer}”没有几何；网格必须是面。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="101"/>
        <source>Layer {layer} holds {kind} geometries; the county boundary must be a polygon.</source>
        <translation>图层“{layer}”中是{kind}几何；县界必须是面。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="113"/>
        <source>Layer {layer} has no field &apos;code&apos; (the grid code); the audit needs it to name each grid.</source>
        <translation>图层“{layer}”没有“code”（网格编码）字段；审核需要用它标识每个网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="633"/>
        <source>{path} is read-only; the findings were not written.</source>
        <translation>{path} 为只读文件，审核问题未写入。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="658"/>
        <location filename="../plugin/adapters/gpkg_write.py" line="284"/>
        <source>Could not write row {row} to table {table}: {error}</source>
        <translation>无法将第 {row} 行写入表 {table}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="95"/>
        <source>Layer {layer} has no geometry; the county boundary must be a polygon.</source>
        <translation>图层“{layer}”没有几何；县界必须是面。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="437"/>
        <location filename="../plugin/adapters/audit_store.py" line="381"/>
        <location filename="../plugin/adapters/layer_edits.py" line="139"/>
        <source>Could not change feature {fid} of layer {layer}.</source>
        <translation>无法修改图层“{layer}”的要素 {fid}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="619"/>
        <location filename="../plugin/adapters/audit_store.py" line="410"/>
        <source>Could not delete rows of layer {layer}.</source>
        <translation>无法删除图层“{layer}”中的记录。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/audit_store.py" line="621"/>
        <location filename="../plugin/adapters/audit_store.py" line="388"/>
        <location filename="../plugin/adapters/fix_edits.py" line="234"/>
        <location filename="../plugin/adapters/layer_edits.py" line="114"/>
        <location filename="../plugin/adapters/layer_edits.py" line="166"/>
        <source>Could not add rows to layer {layer}.</source>
        <translation>无法向图层“{layer}”添加记录。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="219"/>
        <source>OpenStreetMap</source>
        <translation>OpenStreetMap</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="321"/>
        <location filename="../plugin/adapters/basemaps.py" line="323"/>
        <source>Basemaps</source>
        <translation>底图</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="206"/>
        <source>Tianditu needs your own key: enter it under Basemaps → Tianditu key… (get one at tianditu.gov.cn).</source>
        <translation>天地图需要使用您自己的密钥：请在“底图 → 天地图密钥…”中填写（可在 tianditu.gov.cn 申请）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="213"/>
        <source>Tianditu vector map</source>
        <translation>天地图矢量底图</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="213"/>
        <source>Tianditu labels</source>
        <translation>天地图矢量注记</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="213"/>
        <source>Tianditu imagery</source>
        <translation>天地图影像底图</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="213"/>
        <source>Tianditu imagery labels</source>
        <translation>天地图影像注记</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="209"/>
        <source>Unknown Tianditu map {kind}.</source>
        <translation>未知的天地图类型 {kind}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="244"/>
        <source>no answer within {seconds:g} s</source>
        <translation>{seconds:g} 秒内无响应</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="251"/>
        <source>HTTP {status}</source>
        <translation>HTTP {status}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="287"/>
        <location filename="../plugin/adapters/package_io.py" line="34"/>
        <location filename="../plugin/adapters/workspace.py" line="257"/>
        <location filename="../plugin/gui/import_dialog.py" line="75"/>
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="310"/>
        <source>{path} could not be opened as a basemap.</source>
        <translation>无法将 {path} 作为底图打开。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="248"/>
        <source>HTTP {status}: {error}</source>
        <translation>HTTP {status}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="265"/>
        <source>{name} is not available ({problem}). Check the network connection to {host} or use a local basemap for offline work; nothing was added.</source>
        <translation>{name} 无法使用（{problem}）。请检查与 {host} 的网络连接，或在离线时使用本地底图；未添加任何图层。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="272"/>
        <source>QGIS could not open {name} as a tile layer.</source>
        <translation>QGIS 无法将 {name} 作为瓦片图层打开。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/basemaps.py" line="293"/>
        <source>{path} holds no raster tiles (it may be a vector GeoPackage).</source>
        <translation>{path} 中没有栅格瓦片（可能是矢量 GeoPackage）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="419"/>
        <location filename="../plugin/adapters/change_tracker.py" line="271"/>
        <location filename="../plugin/adapters/change_tracker.py" line="552"/>
        <location filename="../plugin/dependencies.py" line="97"/>
        <location filename="../plugin/gui/dock.py" line="62"/>
        <location filename="../plugin/gui/dock.py" line="218"/>
        <location filename="../plugin/gui/dock.py" line="423"/>
        <location filename="../plugin/gui/dock.py" line="629"/>
        <location filename="../plugin/gui/message_bar.py" line="75"/>
        <location filename="../plugin/gui/plugin.py" line="51"/>
        <location filename="../plugin/processing/install_algorithm.py" line="101"/>
        <location filename="../plugin/processing/provider.py" line="78"/>
        <source>Community Grids</source>
        <translation>社区网格</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="416"/>
        <source>The edits of {layer} were not saved: {error} Nothing was written; the edits are still there to save again.</source>
        <translation>{layer} 的编辑未保存：{error} 文件未写入任何内容；编辑仍保留，可再次保存。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="520"/>
        <location filename="../plugin/adapters/change_tracker.py" line="507"/>
        <source>Record grid changes</source>
        <translation>记录网格变动</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="524"/>
        <location filename="../plugin/adapters/codes_store.py" line="228"/>
        <source>Update code registry</source>
        <translation>更新网格编码登记簿</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="527"/>
        <source>Grid heads follow a merge</source>
        <translation>网格长随合并调整</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="270"/>
        <source>The change log could not be updated ({step}): {error}</source>
        <translation>无法更新网格变动记录（{step}）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="548"/>
        <source>Grid head {name} of the merged grid {code} has no grid now: assign another grid.</source>
        <translation>被合并网格 {code} 的网格长{name}现已没有所属网格：请为其指定其他网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/change_tracker.py" line="380"/>
        <source>Save the edits of {layer}</source>
        <translation>保存 {layer} 的编辑</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/changeset_package.py" line="367"/>
        <location filename="../plugin/adapters/gpkg_write.py" line="260"/>
        <source>Could not change feature {fid} of table {table}: {error}</source>
        <translation>无法修改表 {table} 的要素 {fid}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/changeset_package.py" line="178"/>
        <source>record the decision on a change request</source>
        <translation>记录变更申请的审批结果</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/changeset_package.py" line="142"/>
        <source>{path} is not a change-set package (no table {table}).</source>
        <translation>{path} 不是网格变更申请数据包（缺少表 {table}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/changeset_package.py" line="147"/>
        <source>{path} holds {count} change requests; a change-set package holds one.</source>
        <translation>{path} 含有 {count} 个变更申请；一个变更申请数据包只能含一个。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/changeset_package.py" line="297"/>
        <source>approve change request {id}</source>
        <translation>批准变更申请 {id}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/changeset_package.py" line="360"/>
        <location filename="../plugin/adapters/gpkg_write.py" line="251"/>
        <source>Table {table} has no feature {fid}.</source>
        <translation>表 {table} 没有要素 {fid}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/changeset_package.py" line="111"/>
        <source>Could not create {path}: {error}</source>
        <translation>无法创建 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="87"/>
        <source>The city database refused the user name or password: {error}</source>
        <translation>市级数据库拒绝了用户名或密码：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="69"/>
        <source>{name} is not a valid schema name (letters, digits and _ only).</source>
        <translation>{name} 不是有效的模式名（只能含字母、数字和 _）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="89"/>
        <source>The city database server cannot be reached (is it running?): {error}</source>
        <translation>无法连接市级数据库服务器（服务是否已启动？）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="91"/>
        <source>Could not connect to the city database: {error}</source>
        <translation>无法连接市级数据库：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="184"/>
        <source>The city schema {name} was written by a newer Community Grids (version {found}, this plugin reads up to {supported}); update the plugin.</source>
        <translation>市级模式 {name} 由更新版本的社区网格插件写入（版本 {found}，本插件最高支持 {supported}）；请更新插件。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="195"/>
        <source>The city database needs an EPSG CRS, not {crs}.</source>
        <translation>市级数据库需要 EPSG 坐标系，不能使用 {crs}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="273"/>
        <source>{path} names no county (no county_code in its metadata).</source>
        <translation>{path} 未注明所属县（元数据中没有 county_code）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="122"/>
        <source>PostGIS does not know the CRS {crs}.</source>
        <translation>PostGIS 不认识坐标系 {crs}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="177"/>
        <source>The database has no city schema {name}; create it first.</source>
        <translation>数据库中没有市级模式 {name}；请先创建。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/city_db.py" line="295"/>
        <source>The package {version} of county {county} ({created}) was already taken in.</source>
        <translation>县 {county} 的数据包 {version}（{created}）已经入库。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/codes_store.py" line="222"/>
        <location filename="../plugin/adapters/codes_store.py" line="284"/>
        <location filename="../plugin/gui/allocation_preview.py" line="108"/>
        <location filename="../plugin/gui/allocation_preview.py" line="118"/>
        <location filename="../plugin/gui/allocation_preview.py" line="126"/>
        <source>Allocate grid codes</source>
        <translation>分配网格编码</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/codes_store.py" line="326"/>
        <source>Rebuild the code registry</source>
        <translation>重建网格编码登记簿</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/codes_store.py" line="89"/>
        <source>The code rule {rule!r} stored in the workspace cannot be used: {error}</source>
        <translation>网格工作空间中保存的编码规则 {rule!r} 无法使用：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/codes_store.py" line="213"/>
        <source>Layer {layer} no longer has the features {fids} of the plan; preview the codes again.</source>
        <translation>图层“{layer}”中已不存在编码方案中的要素 {fids}；请重新预览编码。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="104"/>
        <source>The workspace has no level 2 grid to divide.</source>
        <translation>工作空间中没有可划分的二级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="313"/>
        <source>Not every proposed grid could be given a code; see the code rule and registry.</source>
        <translation>部分建议网格无法分配编码，请检查编码规则和编码登记表。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="316"/>
        <source>Automatic division (proposal accepted)</source>
        <translation>自动划分（采纳建议方案）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="358"/>
        <location filename="../plugin/adapters/division_store.py" line="392"/>
        <location filename="../plugin/gui/division_action.py" line="292"/>
        <source>No proposal can be accepted: every parent was refused or failed.</source>
        <translation>没有可采纳的方案：所有上级网格的划分均被拒绝或失败。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="396"/>
        <location filename="../plugin/adapters/division_store.py" line="362"/>
        <source>Accept the proposed division</source>
        <translation>采纳建议的网格划分</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="98"/>
        <source>No active level 2 grid has the code {codes}.</source>
        <translation>没有编码为 {codes} 的在用二级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="400"/>
        <location filename="../plugin/adapters/editing.py" line="573"/>
        <source>Could not delete feature {fid} of layer {layer}.</source>
        <translation>无法删除图层“{layer}”的要素 {fid}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/division_store.py" line="411"/>
        <location filename="../plugin/adapters/editing.py" line="296"/>
        <location filename="../plugin/adapters/importer.py" line="364"/>
        <source>Could not add a feature to layer {layer}.</source>
        <translation>无法向图层“{layer}”添加要素。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="100"/>
        <source>level 1 (village/community)</source>
        <translation>一级（村/社区）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="101"/>
        <source>level 2 (section)</source>
        <translation>二级（片区）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="102"/>
        <source>level 3 (group/street/building)</source>
        <translation>三级（村民小组/街巷/楼栋）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="103"/>
        <location filename="../plugin/gui/grid_tree.py" line="152"/>
        <source>dedicated</source>
        <translation>专属</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="323"/>
        <location filename="../plugin/adapters/editing.py" line="409"/>
        <location filename="../plugin/adapters/editing.py" line="641"/>
        <location filename="../plugin/adapters/editing.py" line="661"/>
        <location filename="../plugin/adapters/fix_edits.py" line="194"/>
        <source>the county</source>
        <translation>全县</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="282"/>
        <source>Village {n}</source>
        <translation>村{n}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="283"/>
        <source>Section {n}</source>
        <translation>片区{n}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="284"/>
        <source>Group {n}</source>
        <translation>组{n}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="285"/>
        <source>Dedicated grid {n}</source>
        <translation>专属网格{n}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="335"/>
        <location filename="../plugin/gui/map_tools.py" line="259"/>
        <source>Draw grid</source>
        <translation>绘制网格</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="351"/>
        <source>A dedicated grid lies inside one village or community: choose a level 1 grid first.</source>
        <translation>专属网格位于某一个村（社区）内：请先选择一个一级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="417"/>
        <source>There is no parent area to subdivide: choose a grid in the workspace panel first.</source>
        <translation>没有可细分的上级区域：请先在网格工作空间面板中选择一个网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="564"/>
        <source>The grid to keep must be one of the grids to merge.</source>
        <translation>保留的网格必须是参与合并的网格之一。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="566"/>
        <location filename="../plugin/gui/map_tools.py" line="429"/>
        <source>Merge grids</source>
        <translation>合并网格</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="643"/>
        <source>There is no parent area: choose a grid in the workspace panel first.</source>
        <translation>没有上级区域：请先在网格工作空间面板中选择一个网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="665"/>
        <source>Fill gaps</source>
        <translation>填补空隙</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="673"/>
        <location filename="../plugin/gui/map_tools.py" line="510"/>
        <source>Fill gap</source>
        <translation>填补空隙</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="741"/>
        <location filename="../plugin/gui/dock.py" line="501"/>
        <source>Rename grid</source>
        <translation>重命名网格</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="750"/>
        <source>Retire grid</source>
        <translation>撤销网格</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="362"/>
        <source>Add grid head of dedicated grid</source>
        <translation>添加专属网格的网格长</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="404"/>
        <source>Subdivide grid</source>
        <translation>细分网格</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="677"/>
        <source>No grid borders this gap; fill it with a new grid instead.</source>
        <translation>没有与该空隙相邻的网格；请改为新建一个网格来填补。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="728"/>
        <source>The line must start and end on the boundary shared by two neighbouring {level} grids.</source>
        <translation>线条的起点和终点必须位于两个相邻{level}网格的共同边界上。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="60"/>
        <source>grid {fid}</source>
        <translation>网格 {fid}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="113"/>
        <location filename="../plugin/adapters/household_edits.py" line="585"/>
        <location filename="../plugin/adapters/importer.py" line="348"/>
        <location filename="../plugin/adapters/staff_store.py" line="86"/>
        <location filename="../plugin/gui/staff_panel.py" line="251"/>
        <source>Layer {layer} cannot be edited (is the file read-only?).</source>
        <translation>图层“{layer}”无法编辑（文件是否为只读？）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="171"/>
        <source>Feature {fid} of layer {layer} no longer exists.</source>
        <translation>图层“{layer}”的要素 {fid} 已不存在。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="182"/>
        <source>{grid} in layer {layer} has no geometry.</source>
        <translation>图层“{layer}”中的{grid}没有几何。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="302"/>
        <source>Could not change the geometry of feature {fid} in layer {layer}.</source>
        <translation>无法修改图层“{layer}”中要素 {fid} 的几何。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="311"/>
        <source>Could not change {field} of feature {fid} in layer {layer}.</source>
        <translation>无法修改图层“{layer}”中要素 {fid} 的{field}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="349"/>
        <source>{value} is not a dedicated grid type.</source>
        <translation>“{value}”不是专属网格类别。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="372"/>
        <source>safety officer of the unit</source>
        <translation>单位安全负责人</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="413"/>
        <source>The line cuts no {level} grid inside {parent}.</source>
        <translation>该线条没有切分{parent}内的任何{level}网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="430"/>
        <source>Subdivide {parent}</source>
        <translation>细分{parent}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="587"/>
        <source>{grids} belong to different parents ({parents}); only grids of one parent can be merged.</source>
        <translation>{grids}属于不同的上级网格（{parents}）；只能合并同一上级下的网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="646"/>
        <source>The point lies outside {parent}: click inside a gap of the parent.</source>
        <translation>该点位于{parent}之外：请在上级网格内的空隙中点击。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="652"/>
        <source>There is no gap here: the {level} grids already cover this part of {parent}.</source>
        <translation>此处没有空隙：{level}网格已覆盖{parent}的这一部分。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="662"/>
        <source>{parent} has no gaps at {level}.</source>
        <translation>{parent}内的{level}网格之间没有空隙。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="699"/>
        <source>The line must run between two neighbouring {level} grids.</source>
        <translation>线条必须位于两个相邻的{level}网格之间。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="738"/>
        <source>A grid needs a name; {grid} was left unchanged.</source>
        <translation>网格必须有名称；{grid}未作更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="749"/>
        <source>{grid} is already retired.</source>
        <translation>{grid}已撤销。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="373"/>
        <source>grid head of dedicated grid {name}</source>
        <translation>专属网格“{name}”的网格长</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/editing.py" line="721"/>
        <source>Move boundary between {a} and {b}</source>
        <translation>调整{a}与{b}之间的边界</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="447"/>
        <location filename="../plugin/adapters/filing.py" line="320"/>
        <source>Record filing package</source>
        <translation>记录备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="148"/>
        <source>Could not write {layers} into {path}: {error}</source>
        <translation>无法将 {layers} 写入 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="187"/>
        <source>A filing package is a GeoPackage: the file name must end in .gpkg ({path}).</source>
        <translation>备案数据包是 GeoPackage 文件：文件名必须以 .gpkg 结尾（{path}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="191"/>
        <source>The package cannot replace its own workspace {path}; choose another file.</source>
        <translation>备案数据包不能覆盖其来源网格工作空间 {path}；请选择其他文件。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="248"/>
        <location filename="../plugin/adapters/workspace.py" line="304"/>
        <source>{path} lacks the workspace layers: {layers}.</source>
        <translation>{path} 缺少网格工作空间图层：{layers}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="437"/>
        <source>{path} is not a Community Grids filing package.</source>
        <translation>{path} 不是社区网格备案数据包。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="200"/>
        <source>{path} is a grid workspace, not a filing package; it was left unchanged.</source>
        <translation>{path} 是网格工作空间，不是备案数据包；文件未作更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="306"/>
        <location filename="../plugin/adapters/filing.py" line="275"/>
        <source>Export cancelled; {path} was left unchanged.</source>
        <translation>导出已取消；{path} 未作更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="310"/>
        <source>The package failed GDAL&apos;s GeoPackage validation: {errors}</source>
        <translation>备案数据包未通过 GDAL 的 GeoPackage 校验：{errors}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="332"/>
        <location filename="../plugin/adapters/intake.py" line="432"/>
        <location filename="../plugin/adapters/pg_store.py" line="526"/>
        <location filename="../plugin/adapters/workspace.py" line="229"/>
        <location filename="../plugin/gui/audit_dock.py" line="711"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="327"/>
        <source>Could not write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="507"/>
        <source>Could not leave personal data out of {path}: {error}</source>
        <translation>无法从 {path} 中去除个人信息：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="314"/>
        <location filename="../plugin/adapters/workspace.py" line="96"/>
        <source>{path} is still open; it was not moved into place.</source>
        <translation>{path} 仍处于打开状态，未移动到目标位置。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/filing.py" line="324"/>
        <source>The package was not moved into place, {path} is unchanged: {error}</source>
        <translation>新的备案包未替换原文件，{path} 保持不变：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="79"/>
        <source>One grid lies entirely inside the other: merge, delete or redraw one of them.</source>
        <translation>一个网格完全位于另一个网格之内：请合并、删除或重新绘制其中一个。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="217"/>
        <source>New grid</source>
        <translation>新网格</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="91"/>
        <source>The fix was refused: {reason}.</source>
        <translation>修复被拒绝：{reason}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="256"/>
        <source>Overlap resolved: {what}. Undo with Ctrl+Z; save the layer to keep it.</source>
        <translation>重叠已处理：{what}。可按 Ctrl+Z 撤销；保存图层后生效。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="53"/>
        <source>Findings of rule {rule} have no automatic fix.</source>
        <translation>规则 {rule} 的问题无法自动修复。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="55"/>
        <source>{grid} no longer exists in the layer (or the workspace has no county boundary); run the audit again.</source>
        <translation>图层中已不存在{grid}（或网格工作空间没有县界）；请重新审核。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="59"/>
        <source>The geometry of {grid} is not a valid polygon ({reason}); fix it first.</source>
        <translation>{grid}的几何不是有效的面（{reason}）；请先修正。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="61"/>
        <source>There is no gap here any more in {parent}; run the audit again.</source>
        <translation>{parent}中此处已不再有空隙；请重新审核。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="63"/>
        <source>No grid of the same parent ({parent}) shares a boundary with the gap; make it a new grid instead.</source>
        <translation>同一上级网格（{parent}）下没有与该空隙相邻的网格；请改为将其新建为网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="67"/>
        <source>The gap ({area:.2f} m², about {width:.2f} m wide) is too small or thin to be a grid of its own; give it to the neighbour instead.</source>
        <translation>该空隙（{area:.2f} 平方米，宽约 {width:.2f} 米）太小或太窄，不宜单独成为网格；请将其划给相邻网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="72"/>
        <source>{a} and {b} no longer overlap; run the audit again.</source>
        <translation>{a}与{b}已不再重叠；请重新审核。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="81"/>
        <source>The fix would leave nothing of {grid}; nothing was changed.</source>
        <translation>修复后{grid}将不复存在；未作任何更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="83"/>
        <source>The fix would break {grid} into {parts} separate parts; nothing was changed. Edit the boundary by hand.</source>
        <translation>修复会使{grid}分裂为 {parts} 个互不相连的部分；未作任何更改。请手动编辑边界。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="87"/>
        <source>The fix would leave {area:.6f} m² of sliver ({what}) behind, so it was not applied; edit the boundary by hand.</source>
        <translation>修复后会留下 {area:.6f} 平方米的狭长碎片（{what}），因此未执行；请手动编辑边界。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="192"/>
        <source>Resolve overlap of {grids}</source>
        <translation>处理{grids}的重叠</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="194"/>
        <source>Fill gap in {parent}</source>
        <translation>填补{parent}内的空隙</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="243"/>
        <source>The gap of {area:.2f} m² now belongs to {grid}, which shares {length:.1f} m of boundary with it. Undo with Ctrl+Z; save the layer to keep it.</source>
        <translation>这块 {area:.2f} 平方米的空隙已划归{grid}，两者共同边界长 {length:.1f} 米。可按 Ctrl+Z 撤销；保存图层后生效。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="248"/>
        <source>The gap of {area:.2f} m² is now a new grid; give it a name and a code. Undo with Ctrl+Z; save the layer to keep it.</source>
        <translation>这块 {area:.2f} 平方米的空隙已成为新网格；请为其命名并编码。可按 Ctrl+Z 撤销；保存图层后生效。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="75"/>
        <source>{inner} lies entirely inside {outer}: trimming would delete it or punch a hole; merge, delete or redraw one of them.</source>
        <translation>{inner}完全位于{outer}之内：裁剪会删除它或在外部网格上挖洞；请合并、删除或重新绘制其中一个。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="255"/>
        <source>{area:.2f} m² removed from {grid}</source>
        <translation>从{grid}中移除 {area:.2f} 平方米</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/fix_edits.py" line="201"/>
        <source>Could not change the geometry of feature {fid} of layer {layer}.</source>
        <translation>无法修改图层“{layer}”中要素 {fid} 的几何。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="88"/>
        <location filename="../plugin/adapters/gpkg_write.py" line="149"/>
        <source>no reason given by GDAL</source>
        <translation>GDAL 未给出原因</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="57"/>
        <source>The disk holding {path} is full: {what} failed and nothing was written; the file is as it was. Free some space and run it again. ({error})</source>
        <translation>{path} 所在磁盘已满：{what}失败，未写入任何内容，文件保持原样。请腾出空间后重新运行。（{error}）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="298"/>
        <source>Could not delete row {fid} of table {table}: {error}</source>
        <translation>无法删除表 {table} 的第 {fid} 行：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="134"/>
        <source>{path} is read-only; {what}: nothing was written.</source>
        <translation>{path} 为只读文件；{what}：未写入任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="148"/>
        <source>{path} could not be opened for writing as a GeoPackage: {error}</source>
        <translation>无法以写入方式将 {path} 作为 GeoPackage 打开：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="160"/>
        <source>{path} could not be written ({what}): {error}</source>
        <translation>无法写入 {path}（{what}）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="187"/>
        <source>{path} could not be saved ({what}); nothing was written: {error}</source>
        <translation>无法保存 {path}（{what}），未写入任何内容：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="201"/>
        <location filename="../plugin/adapters/table_store.py" line="35"/>
        <source>{path} has no table {table}.</source>
        <translation>{path} 中没有表 {table}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="211"/>
        <source>Table {table} has no field {field}.</source>
        <translation>表 {table} 没有字段 {field}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/gpkg_write.py" line="219"/>
        <source>Table {table}: the value {value!r} of {field} cannot be stored ({error}).</source>
        <translation>表 {table}：字段 {field} 的值 {value!r} 无法保存（{error}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="63"/>
        <source>household count</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="64"/>
        <source>persons</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="65"/>
        <source>relocated households</source>
        <translation>搬迁户数</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="66"/>
        <source>registered-but-absent households</source>
        <translation>空挂户数</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="67"/>
        <source>grid code</source>
        <translation>网格编码</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="68"/>
        <source>villager group name</source>
        <translation>村民小组名称</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="69"/>
        <source>village or community</source>
        <translation>村（社区）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="387"/>
        <source>{outside} of its {records} points lie outside every level 3 grid (wrong CRS or wrong area?)</source>
        <translation>其 {records} 个点中有 {outside} 个不在任何三级网格内（坐标系或区域是否有误？）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="388"/>
        <source>{missing} of its {records} points have no geometry</source>
        <translation>其 {records} 个点中有 {missing} 个没有几何</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="389"/>
        <source>{unmatched} of its {records} rows match no grid (only {assigned} usable rows)</source>
        <translation>其 {records} 行中有 {unmatched} 行无法对应网格（仅 {assigned} 行可用）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="390"/>
        <source>it holds no points or rows</source>
        <translation>其中没有任何点或记录</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="391"/>
        <source>{assigned} of its {records} points or rows were attached</source>
        <translation>其 {records} 个点或记录中只有 {assigned} 个被关联</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="402"/>
        <source>Nothing was written: layer {layer} attaches no household to any grid, because {cause}.</source>
        <translation>未写入任何数据：图层 {layer} 没有任何住户能关联到网格，原因是{cause}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="404"/>
        <source>Nothing was written: layer {layer} would lower the workspace&apos;s households from {old} to {new} ({drop:.0%}), because {cause}.</source>
        <translation>未写入任何数据：图层 {layer} 会使网格工作空间的总户数从 {old} 降到 {new}（{drop:.0%}），原因是{cause}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="409"/>
        <source>Fix the source, or confirm a full replacement of the counts to write it anyway.</source>
        <translation>请修正数据源，或确认全部替换统计数后再写入。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="522"/>
        <location filename="../plugin/adapters/household_edits.py" line="563"/>
        <location filename="../plugin/adapters/pg_jobs.py" line="142"/>
        <source>Attach household counts</source>
        <translation>挂接住户数</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="103"/>
        <source>Table {layer} cannot be joined to grids: choose its grid code field or its villager group name field.</source>
        <translation>表“{layer}”无法与网格关联：请选择其网格编码字段或村民小组名称字段。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="163"/>
        <location filename="../plugin/gui/division_action.py" line="442"/>
        <location filename="../plugin/gui/division_action.py" line="429"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="294"/>
        <location filename="../plugin/processing/division_algorithms.py" line="193"/>
        <location filename="../plugin/processing/division_algorithms.py" line="239"/>
        <location filename="../plugin/processing/household_algorithms.py" line="326"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="647"/>
        <source>{assigned} of {total} household points attached to level 3 grids.</source>
        <translation>{total} 个住户点中有 {assigned} 个已挂接到三级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="652"/>
        <source>{outside} outside every grid, {boundary} on a shared boundary, {missing} without geometry.</source>
        <translation>{outside} 个位于所有网格之外，{boundary} 个位于共同边界上，{missing} 个没有几何。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="660"/>
        <source>{assigned} of {total} table rows joined to level 3 grids; {unmatched} matched no grid.</source>
        <translation>{total} 行表格记录中有 {assigned} 行已关联到三级网格；{unmatched} 行未匹配到任何网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="669"/>
        <source>Level {level}: {households} households, {population} persons, {relocated} relocated or absent.</source>
        <translation>{level}级：{households} 户，{population} 人，搬迁户及空挂户 {relocated} 户。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="679"/>
        <source>Grids changed: level 3 {l3}, level 2 {l2}, level 1 {l1}.</source>
        <translation>已变更的网格：三级 {l3} 个，二级 {l2} 个，一级 {l1} 个。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="94"/>
        <source>Layer {layer} has no field {field} (chosen for the {what}).</source>
        <translation>图层“{layer}”没有字段 {field}（选作{what}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="196"/>
        <source>Layer {layer} has no coordinate reference system (undefined SRS), so its points cannot be placed in the grids. Set the layer&apos;s CRS, or choose the CRS of its points.</source>
        <translation>图层 {layer} 没有坐标参考系（SRS 未定义），其点无法落入网格。请设置图层的坐标系，或指定其点所用的坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="216"/>
        <source>Layer {layer} could not be read in the workspace CRS: {error}</source>
        <translation>无法按网格工作空间坐标系读取图层“{layer}”：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="337"/>
        <source>Layer {layer} lacks the fields: {fields}.</source>
        <translation>图层“{layer}”缺少字段：{fields}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="373"/>
        <source>Layer {layer} has no point geometries; attach it as a table by grid code or group name.</source>
        <translation>图层“{layer}”没有点几何；请作为表格按网格编码或村民小组名称挂接。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="478"/>
        <source>The counts could not be saved in layer {layer}: {errors}</source>
        <translation>无法在图层“{layer}”中保存统计数：{errors}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/household_edits.py" line="596"/>
        <source>Layer {layer}, feature {fid}: the household counts could not be changed.</source>
        <translation>图层“{layer}”要素 {fid}：无法修改户数统计。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="115"/>
        <source>code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="115"/>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="115"/>
        <source>parent code</source>
        <translation>上级编码</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="123"/>
        <source>Choose the field that holds the grid code.</source>
        <translation>请选择存放网格编码的字段。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="204"/>
        <source>The source has no coordinate reference system (none, or an undefined SRS such as GeoPackage srs_id 0): set its CRS first.</source>
        <translation>数据源没有坐标参考系（未设置，或为未定义的 SRS，如 GeoPackage 的 srs_id 0）：请先设置其坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="361"/>
        <location filename="../plugin/processing/import_algorithms.py" line="26"/>
        <source>Import grid boundaries</source>
        <translation>导入网格边界</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="157"/>
        <source>Layer {layer}: Z and M values of {count} features were dropped (grids are 2D): {fids}.</source>
        <translation>图层 {layer}：已去除 {count} 个要素的 Z 值和 M 值（网格为二维）：{fids}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="163"/>
        <source>Layer {layer}: {count} curved features were converted to straight segments by QGIS: {fids}.</source>
        <translation>图层 {layer}：{count} 个曲线要素已由 QGIS 转换为直线段：{fids}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="308"/>
        <source>There is no grid level {level}.</source>
        <translation>不存在第 {level} 级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="313"/>
        <source>Layer {layer} holds no polygons; grid boundaries must be polygons.</source>
        <translation>图层“{layer}”中没有面；网格边界必须是面。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="324"/>
        <source>Feature {fid}: it cannot be transformed into the workspace CRS ({error}); skipped.</source>
        <translation>要素 {fid}：无法转换到网格工作空间坐标系（{error}）；已跳过。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="336"/>
        <source>Nothing was imported from {layer}.</source>
        <translation>未从“{layer}”导入任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="376"/>
        <source>Feature {fid}: its coordinates are not a place on Earth (NaN, infinite or absurdly large); skipped.</source>
        <translation>要素 {fid}：其坐标不是地球上的位置（NaN、无穷大或大得离谱）；已跳过。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="118"/>
        <source>Layer {layer} has no field {field} (chosen for the {role}).</source>
        <translation>图层“{layer}”没有字段 {field}（选作{role}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="151"/>
        <source>Feature {fid}: its geometry cannot be read ({error}); skipped.</source>
        <translation>要素 {fid}：其几何图形无法读取（{error}）；已跳过。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="247"/>
        <source>Feature {fid}: no polygon geometry; skipped.</source>
        <translation>要素 {fid}：没有面几何，已跳过。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="251"/>
        <source>Feature {fid}: code {code} is already used in layer {layer}; skipped.</source>
        <translation>要素 {fid}：编码 {code} 已在图层“{layer}”中使用，已跳过。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="260"/>
        <source>Imported grid {fid}</source>
        <translation>导入的网格 {fid}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="273"/>
        <source>Only {share:.0%} of the imported area lies inside the county boundary: check the source CRS, and whether the data are GCJ-02 web-map coordinates that need correcting.</source>
        <translation>导入范围只有 {share:.0%} 位于县界内：请检查数据源坐标系，以及数据是否为需要纠偏的 GCJ-02（网络地图）坐标。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="342"/>
        <source>Layer {layer} is being edited: save or discard its edits before importing into the file.</source>
        <translation>图层“{layer}”正在编辑中：导入文件前请先保存或放弃其编辑。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="356"/>
        <source>Could not write to layer {layer}: {error}</source>
        <translation>无法写入图层“{layer}”：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/importer.py" line="415"/>
        <location filename="../plugin/adapters/plain_workspace.py" line="28"/>
        <location filename="../plugin/adapters/workspace.py" line="238"/>
        <location filename="../plugin/adapters/workspace.py" line="431"/>
        <source>Layer {layer} of {path} did not open.</source>
        <translation>无法打开 {path} 的图层“{layer}”。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="143"/>
        <source>The packages hold no grid geometries; choose the CRS for the checks.</source>
        <translation>备案数据包中没有网格几何；请选择检查所用的坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="108"/>
        <source>{path} holds no grid layers; it is not a filing package.</source>
        <translation>{path} 中没有网格图层，不是备案数据包。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="301"/>
        <source>Could not copy layer {layer} of {path}: {error}</source>
        <translation>无法复制 {path} 的图层“{layer}”：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="358"/>
        <source>A city workspace is a GeoPackage: the file name must end in .gpkg ({path}).</source>
        <translation>市级网格工作空间是 GeoPackage 文件：文件名必须以 .gpkg 结尾（{path}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="363"/>
        <source>The output {path} is one of the inputs; choose another file.</source>
        <translation>输出文件 {path} 是输入文件之一；请选择其他文件。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="153"/>
        <source>{crs} is geographic (degrees); the checks need a projected CRS in metres.</source>
        <translation>{crs} 是地理坐标系（单位为度）；检查需要以米为单位的投影坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="160"/>
        <source>No Gauss-Kruger zone fits the packages ({error}); choose the CRS for the checks.</source>
        <translation>没有适合这些备案数据包的高斯-克吕格投影带（{error}）；请选择检查所用的坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="427"/>
        <source>The city workspace failed GDAL&apos;s GeoPackage validation: {errors}</source>
        <translation>市级网格工作空间未通过 GDAL 的 GeoPackage 校验：{errors}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/intake.py" line="401"/>
        <source>Merge cancelled; {path} was left unchanged.</source>
        <translation>合并已取消；{path} 未作更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/layer_edits.py" line="32"/>
        <location filename="../plugin/adapters/layer_edits.py" line="147"/>
        <source>Layer {layer} cannot be edited.</source>
        <translation>图层“{layer}”无法编辑。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/layer_edits.py" line="54"/>
        <source>Could not save the edits of layer {layer}: {error}</source>
        <translation>无法保存图层“{layer}”的编辑：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/layer_edits.py" line="134"/>
        <source>Layer {layer} has no field {field}.</source>
        <translation>图层“{layer}”没有字段 {field}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/layouts/common.py" line="248"/>
        <location filename="../plugin/adapters/workspace.py" line="77"/>
        <source>The folder {folder} does not exist.</source>
        <translation>文件夹 {folder} 不存在。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/layouts/common.py" line="269"/>
        <source>Could not export {path} (error {code}): {error}</source>
        <translation>无法导出 {path}（错误 {code}）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/package_io.py" line="38"/>
        <location filename="../plugin/adapters/workspace.py" line="273"/>
        <source>{path} exists but cannot be read: it is not a GeoPackage or it is damaged ({error}).</source>
        <translation>{path} 存在但无法读取：它不是 GeoPackage 或已损坏（{error}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/package_io.py" line="44"/>
        <location filename="../plugin/adapters/workspace.py" line="279"/>
        <source>{path} is a {driver} file, not a GeoPackage.</source>
        <translation>{path} 是 {driver} 文件，不是 GeoPackage。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/package_io.py" line="288"/>
        <source>Could not create layer {layer}: {error}</source>
        <translation>无法创建图层“{layer}”：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/package_io.py" line="39"/>
        <location filename="../plugin/adapters/workspace.py" line="274"/>
        <source>GDAL recognises no vector format in it</source>
        <translation>GDAL 无法识别其中的矢量格式</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/package_io.py" line="325"/>
        <location filename="../plugin/adapters/workspace.py" line="183"/>
        <source>Could not write features to layer {layer}: {error}</source>
        <translation>无法向图层“{layer}”写入要素：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="245"/>
        <source>Only the county role decides change requests; change request {id} was left as it was.</source>
        <translation>只有县级角色可以审批变更申请；变更申请 {id} 保持原状。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="34"/>
        <source>The workspace&apos;s CRS {crs} is not an EPSG code.</source>
        <translation>工作空间的坐标系 {crs} 不是 EPSG 代码。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="247"/>
        <source>Change request {id} cannot be approved, nothing was changed: {error}</source>
        <translation>变更申请 {id} 无法批准，未做任何修改：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="54"/>
        <source>Could not add change requests to workspace {schema}: {error}</source>
        <translation>无法为工作空间 {schema} 添加变更申请功能：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="107"/>
        <source>There is no change request {id} in workspace {schema}.</source>
        <translation>工作空间 {schema} 中没有变更申请 {id}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="227"/>
        <source>The database refused change request {id}; nothing was proposed: {error}</source>
        <translation>数据库拒绝了变更申请 {id}，未提交任何内容：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="249"/>
        <source>Change request {id} would reuse a registered grid code; nothing was changed: {error}</source>
        <translation>变更申请 {id} 会重复使用已登记的网格编码；未做任何修改：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="251"/>
        <source>The database refused the decision on change request {id}: {error}</source>
        <translation>数据库拒绝了对变更申请 {id} 的审批：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="208"/>
        <source>The database refused change request {id}: user {user} does not propose for township {township}; nothing was proposed.</source>
        <translation>数据库拒绝了变更申请 {id}：用户 {user} 不能为乡镇/街道 {township} 提交申请；未提交任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_changesets.py" line="215"/>
        <source>The database refused change request {id}: grid {code} ({layer}) is not in township {township} of user {user}; nothing was proposed.</source>
        <translation>数据库拒绝了变更申请 {id}：网格 {code}（{layer}）不在用户 {user} 所属的乡镇/街道 {township} 内；未提交任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_desktop.py" line="153"/>
        <source>You are {user}: neither the county role nor a township role of this workspace.</source>
        <translation>您是 {user}：既不是本工作空间的县级角色，也不是乡镇角色。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_desktop.py" line="70"/>
        <location filename="../plugin/processing/pg_algorithms.py" line="35"/>
        <source>There is no PostgreSQL connection named {name}.</source>
        <translation>没有名为 {name} 的 PostgreSQL 连接。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_desktop.py" line="146"/>
        <source>You are {user}: the county role ({role}); you decide change requests.</source>
        <translation>您是 {user}：县级角色（{role}），负责审批变更申请。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_desktop.py" line="150"/>
        <source>You are {user}: township {name} ({code}), role {role}; you propose change requests.</source>
        <translation>您是 {user}：{name}（{code}）乡镇角色 {role}，可提交变更申请。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_jobs.py" line="250"/>
        <source>The package was not recorded in the shared workspace (its version and date): {error}</source>
        <translation>备案包未记入共享工作空间（版本和日期）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_jobs.py" line="174"/>
        <source>Grid {code} ({layer}) was changed by {user} at {at} (version {version}) after the counts were computed from version {read}; no count was written. Attach the households again.</source>
        <translation>网格 {code}（{layer}）在按版本 {read} 计算户数之后已被 {user} 于 {at} 修改（版本 {version}）；未写入任何户数。请重新挂接户籍。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_jobs.py" line="153"/>
        <location filename="../plugin/adapters/pg_jobs.py" line="164"/>
        <source>Grid {code} ({layer}) is no longer in the shared workspace; nothing was changed.</source>
        <translation>网格 {code}（{layer}）已不在共享工作空间中；未作任何更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="183"/>
        <source>The database refused the change ({error}); nothing was changed.</source>
        <translation>数据库拒绝了此次修改（{error}）；未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="149"/>
        <source>Grid {code} ({layer}) is outside your township: the database refused the edit by {user}; nothing was changed.</source>
        <translation>网格 {code}（{layer}）不在您所在的乡镇/街道范围内：数据库拒绝了 {user} 的编辑；未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="154"/>
        <source>Grid {code} ({layer}) was changed by {user} at {at} (version {version}) after you read it (version {read}); your edit was not saved: it is kept in refused_edits, nothing was overwritten.</source>
        <translation>网格 {code}（{layer}）在您读取（版本 {read}）之后已被 {user} 于 {at} 修改（版本 {version}）；您的编辑未保存，已留存在 refused_edits 表中，未覆盖任何数据。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="166"/>
        <source>Grid {code} ({layer}): a save must name the version of the grid it read (the current one is {version}, last changed by {user}); your edit was not saved, nothing was overwritten.</source>
        <translation>网格 {code}（{layer}）：保存时必须注明读取时的网格版本（当前版本为 {version}，最后修改人 {user}）；您的编辑未保存，未覆盖任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="171"/>
        <source>Code {code}: {error}; nothing was changed.</source>
        <translation>编码 {code}：{error}；未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="178"/>
        <source>Your database role may not do this ({error}); nothing was changed.</source>
        <translation>您的数据库角色无权执行此操作（{error}）；未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="180"/>
        <source>{layer}: a value that must be unique is taken ({error}); nothing was changed.</source>
        <translation>{layer}：必须唯一的值已被占用（{error}）；未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="174"/>
        <source>Grid {code} ({layer}) is outside your township: the database&apos;s row security refused it; nothing was changed.</source>
        <translation>网格 {code}（{layer}）不在您所在的乡镇/街道范围内：数据库的行级安全策略拒绝了此操作；未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="207"/>
        <source>The database has no workspace schema {schema}.</source>
        <translation>数据库中没有工作空间模式 {schema}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="223"/>
        <source>Schema {schema} is not a Community Grids workspace.</source>
        <translation>模式 {schema} 不是社区网格工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="227"/>
        <source>Schema {schema} was written by a newer Community Grids (schema {found}, this plugin reads up to {supported}); update the plugin to open it. Nothing was changed.</source>
        <translation>模式 {schema} 由更新版本的社区网格插件写入（结构版本 {found}，本插件最高支持 {supported}）；请升级插件后再打开。未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="233"/>
        <source>Schema {schema} has no valid schema version.</source>
        <translation>模式 {schema} 没有有效的结构版本。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="240"/>
        <source>{crs} is not an EPSG code; PostGIS needs one.</source>
        <translation>{crs} 不是 EPSG 代码；PostGIS 需要 EPSG 代码。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="418"/>
        <source>Layer {layer} of schema {schema} did not open: {error}</source>
        <translation>模式 {schema} 的图层 {layer} 无法打开：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="503"/>
        <location filename="../plugin/adapters/workspace.py" line="209"/>
        <source>A workspace is a GeoPackage: the file name must end in .gpkg ({path}).</source>
        <translation>网格工作空间是 GeoPackage 文件：文件名必须以 .gpkg 结尾（{path}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="655"/>
        <location filename="../plugin/adapters/pg_store.py" line="691"/>
        <source>Layer {layer} has no feature {fid}.</source>
        <translation>图层 {layer} 中没有要素 {fid}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="99"/>
        <source>The PostgreSQL driver psycopg2 is missing from QGIS&apos;s Python ({error}).</source>
        <translation>QGIS 的 Python 中缺少 PostgreSQL 驱动 psycopg2（{error}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="128"/>
        <source>Could not connect to PostgreSQL ({where}): {error}</source>
        <translation>无法连接 PostgreSQL（{where}）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="332"/>
        <source>Schema {schema} already exists; it was left unchanged.</source>
        <translation>模式 {schema} 已存在；未作改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="382"/>
        <location filename="../plugin/adapters/workspace.py" line="245"/>
        <source>Could not store the style of {layer}: {error}</source>
        <translation>无法保存图层“{layer}”的样式：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="82"/>
        <location filename="../plugin/adapters/pg_store.py" line="87"/>
        <source>Not a PostgreSQL connection setting: {part}</source>
        <translation>不是 PostgreSQL 连接参数：{part}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="113"/>
        <source>PostgreSQL refused the password of user {user} ({where}).</source>
        <translation>PostgreSQL 拒绝了用户 {user} 的密码（{where}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="119"/>
        <source>The database {db} does not exist on {where}.</source>
        <translation>{where} 上不存在数据库 {db}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="123"/>
        <source>The PostgreSQL server at {host}:{port} does not answer; is it running? ({error})</source>
        <translation>{host}:{port} 上的 PostgreSQL 服务器没有响应；服务器是否已启动？（{error}）</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="217"/>
        <source>Schema {schema} is not a Community Grids workspace (no {table} table).</source>
        <translation>模式 {schema} 不是社区网格工作空间（没有 {table} 表）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="340"/>
        <source>Cancelled; nothing was changed.</source>
        <translation>已取消；未作任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="575"/>
        <source>{code} is not a 9-digit township code.</source>
        <translation>{code} 不是 9 位乡镇/街道代码。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_store.py" line="584"/>
        <source>Township {code} has no level 1 grids in schema {schema}.</source>
        <translation>模式 {schema} 中乡镇/街道 {code} 没有一级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/pg_versions.py" line="32"/>
        <source>Grid {code} ({layer}) was changed by {user} at {at} (version {version}) after you read it (version {read}); your edit was not saved and stays in the layer: nothing was overwritten.</source>
        <translation>网格 {code}（{layer}）在您读取（版本 {read}）之后已被 {user} 于 {at} 修改（版本 {version}）；您的编辑未保存，仍保留在图层中，未覆盖任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/plain_workspace.py" line="68"/>
        <location filename="../plugin/gui/jobs_panel.py" line="339"/>
        <source>Layer {layer} of this workspace has unsaved edits in the project; save or discard them first.</source>
        <translation>本网格工作空间的图层“{layer}”在项目中有未保存的编辑；请先保存或放弃。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/rules_store.py" line="39"/>
        <source>Rule {rule}, {field}: {message}</source>
        <translation>规则 {rule}，{field}：{message}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/rules_store.py" line="91"/>
        <location filename="../plugin/gui/rules_panel.py" line="157"/>
        <source>The size rules were not saved:</source>
        <translation>规模标准未保存：</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/rules_store.py" line="96"/>
        <source>Layer {layer} has unsaved edits; save or discard them before saving the size rules.</source>
        <translation>图层“{layer}”有未保存的编辑；保存规模标准前请先保存或放弃这些编辑。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/rules_store.py" line="71"/>
        <source>The size rules stored in {path} cannot be used:</source>
        <translation>{path} 中保存的规模标准无法使用：</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/save_refusal.py" line="40"/>
        <source>Save refused</source>
        <translation>保存被拒绝</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/staff_store.py" line="97"/>
        <location filename="../plugin/gui/staff_panel.py" line="217"/>
        <location filename="../plugin/gui/staff_panel.py" line="222"/>
        <source>Import staff register</source>
        <translation>导入网格工作人员名单</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/staff_store.py" line="106"/>
        <source>Layer {layer}: the rows could not be added.</source>
        <translation>图层“{layer}”：无法添加记录。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/staff_store.py" line="60"/>
        <source>The staff register {file} cannot be imported:</source>
        <translation>网格工作人员名单 {file} 无法导入：</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/staff_store.py" line="66"/>
        <source>No row of {file} can be imported, so the staff table was not replaced:</source>
        <translation>{file} 中没有可导入的记录，因此未替换工作人员表：</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/staff_store.py" line="103"/>
        <source>Layer {layer}: the old rows could not be deleted.</source>
        <translation>图层“{layer}”：无法删除原有记录。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/table_store.py" line="28"/>
        <source>{path} could not be opened as a GeoPackage.</source>
        <translation>无法以 GeoPackage 格式打开 {path}。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/table_store.py" line="103"/>
        <location filename="../plugin/adapters/table_store.py" line="156"/>
        <source>{path} is read-only; table {table} was not changed.</source>
        <translation>{path} 为只读文件；表 {table} 未作更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/table_store.py" line="86"/>
        <source>Table {table}, row {row}: the value {value!r} of {field} cannot be stored ({error}).</source>
        <translation>表 {table} 第 {row} 行：{field} 的值 {value!r} 无法保存（{error}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/table_store.py" line="105"/>
        <location filename="../plugin/adapters/table_store.py" line="158"/>
        <source>Write table {table}</source>
        <translation>写入表 {table}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/thematic.py" line="87"/>
        <source>Level 3 grids: size and staffing</source>
        <translation>三级网格：规模与人员配备</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="80"/>
        <source>The folder {folder} is read-only; choose another folder.</source>
        <translation>文件夹 {folder} 为只读；请选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="82"/>
        <source>{path} already exists; it was left unchanged.</source>
        <translation>{path} 已存在，未作更改。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="157"/>
        <source>Could not create layer {layer} in {path}: {error}</source>
        <translation>无法在 {path} 中创建图层“{layer}”：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="214"/>
        <source>{crs} is not a valid coordinate reference system.</source>
        <translation>{crs} 不是有效的坐标参考系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="217"/>
        <source>{crs} is geographic (degrees); a workspace needs a projected CRS in metres.</source>
        <translation>{crs} 是地理坐标系（单位为度）；网格工作空间需要以米为单位的投影坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="267"/>
        <source>{path} is locked by another program; try again when it is closed ({error}).</source>
        <translation>{path} 被其他程序锁定，请在该程序关闭后重试（{error}）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="284"/>
        <source>{path} is a GeoPackage but not a Community Grids workspace (no {table} table).</source>
        <translation>{path} 是 GeoPackage 文件，但不是社区网格工作空间（没有 {table} 表）。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="290"/>
        <source>{path} is not a Community Grids workspace.</source>
        <translation>{path} 不是社区网格工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="294"/>
        <source>{path} was written by a newer Community Grids (schema {found}, this plugin reads up to {supported}); update the plugin to open it.</source>
        <translation>{path} 由更新版本的社区网格插件写入（数据结构版本 {found}，本插件最高支持 {supported}）；请升级插件后再打开。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="300"/>
        <source>{path} has no valid schema version.</source>
        <translation>{path} 没有有效的数据结构版本。</translation>
    </message>
    <message>
        <location filename="../plugin/adapters/workspace.py" line="312"/>
        <source>Layer {layer} of {path} lacks the fields: {fields}.</source>
        <translation>{path} 的图层“{layer}”缺少字段：{fields}。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="168"/>
        <source>Install it from the plugin: Plugins ▸ Community Grids ▸ Install shapely… (or headless: qgis_process run community_grids:install_dependencies -- WHEEL=/path/to/shapely-2.x.whl). It goes into {target}; nothing of QGIS&apos;s own Python changes.</source>
        <translation>请在插件中安装：插件 ▸ 社区网格 ▸ 安装 shapely…（或无界面方式：qgis_process run community_grids:install_dependencies -- WHEEL=/path/to/shapely-2.x.whl）。它将安装到 {target}，QGIS 自带的 Python 不会有任何改动。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="181"/>
        <source>Community Grids needs numpy, which this QGIS&apos;s Python does not have ({error}). Install QGIS with its Python packages (the Windows and macOS installers include numpy; on Debian/Ubuntu: apt install python3-numpy).</source>
        <translation>社区网格需要 numpy，但此 QGIS 的 Python 中没有（{error}）。请安装带 Python 组件的 QGIS（Windows 与 macOS 安装包已包含 numpy；Debian/Ubuntu：apt install python3-numpy）。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="198"/>
        <source>This QGIS has already loaded shapely {version} ({where}), probably for another plugin; Community Grids needs shapely ≥ 2.0 and a process can hold only one shapely. Disable or update the plugin that uses shapely {version}, then restart QGIS.</source>
        <translation>此 QGIS 已加载 shapely {version}（{where}），可能是其他插件所用；社区网格需要 shapely ≥ 2.0，而一个进程只能加载一个 shapely。请停用或升级使用 shapely {version} 的插件，然后重启 QGIS。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="212"/>
        <source>shapely {version} ({where}) is loaded but does not work in this QGIS: {error}. This happens when two GEOS libraries mix in one process. Restart QGIS; if it stays, reinstall shapely from the plugin (Plugins ▸ Community Grids ▸ Install shapely…).</source>
        <translation>shapely {version}（{where}）已加载，但在此 QGIS 中无法正常工作：{error}。这是同一进程中混用了两个 GEOS 库所致。请重启 QGIS；如仍存在，请在插件中重新安装 shapely（插件 ▸ 社区网格 ▸ 安装 shapely…）。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="257"/>
        <source>Community Grids needs the Python package shapely ≥ 2.0, which this QGIS does not have. {hint}</source>
        <translation>社区网格需要 Python 包 shapely ≥ 2.0，此 QGIS 中没有。{hint}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="267"/>
        <source>Community Grids needs shapely ≥ 2.0; this QGIS&apos;s Python has shapely {version} ({where}), which stays as it is for other plugins. {hint}</source>
        <translation>社区网格需要 shapely ≥ 2.0；此 QGIS 的 Python 中为 shapely {version}（{where}），为其他插件保持不变。{hint}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="280"/>
        <source>shapely in this QGIS&apos;s Python ({where}) cannot be imported ({error}). {hint}</source>
        <translation>无法导入此 QGIS 的 Python 中的 shapely（{where}）：{error}。{hint}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/loader.py" line="240"/>
        <source>The plugin&apos;s own shapely in {folder} cannot be imported ({error}). Reinstall it: Plugins ▸ Community Grids ▸ Install shapely…</source>
        <translation>无法导入插件自带的 shapely（{folder}）：{error}。请重新安装：插件 ▸ 社区网格 ▸ 安装 shapely…</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="231"/>
        <source>This QGIS&apos;s Python has no numpy, which shapely needs.</source>
        <translation>此 QGIS 的 Python 中没有 shapely 所需的 numpy。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="425"/>
        <source>The Python of this QGIS was not found, so pip cannot run. Install from a wheel file.</source>
        <translation>未找到此 QGIS 的 Python，无法运行 pip。请从 wheel 文件安装。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="333"/>
        <source>Installed shapely {version} ({file}) into {folder}.</source>
        <translation>已将 shapely {version}（{file}）安装到 {folder}。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="214"/>
        <source>{file} is not a shapely wheel.</source>
        <translation>{file} 不是 shapely 的 wheel 文件。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="217"/>
        <source>{file} is shapely {version}; Community Grids needs shapely ≥ 2.0.</source>
        <translation>{file} 是 shapely {version}；社区网格需要 shapely ≥ 2.0。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="223"/>
        <source>{file} is built for {wheel}, but this QGIS runs {here}. Choose the wheel for {python}.</source>
        <translation>{file} 是为 {wheel} 构建的，而此 QGIS 运行的是 {here}。请选择 {python} 的 wheel 文件。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="234"/>
        <source>{file} needs numpy {wanted}, but this QGIS has numpy {have}, which the plugin never changes. Choose an older shapely (2.0 or 2.1 run on numpy 1.21 and newer).</source>
        <translation>{file} 需要 numpy {wanted}，而此 QGIS 的 numpy 为 {have}，插件不会改动它。请选择较早的 shapely（2.0 或 2.1 可在 numpy 1.21 及以上运行）。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="293"/>
        <source>The wheel file {file} does not exist.</source>
        <translation>wheel 文件 {file} 不存在。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="323"/>
        <source>shapely {version} was unpacked but does not work in this QGIS ({error}); the previous state is kept.</source>
        <translation>shapely {version} 已解压，但在此 QGIS 中无法工作（{error}）；已保留原有状态。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="380"/>
        <source>The repository {url} has no shapely wheel for {here}.</source>
        <translation>插件仓库 {url} 中没有适用于 {here} 的 shapely wheel。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="444"/>
        <source>pip downloaded no shapely wheel.</source>
        <translation>pip 未下载到 shapely 的 wheel 文件。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="66"/>
        <source>{name} is not a wheel file name (name-version-python-abi-platform.whl).</source>
        <translation>{name} 不是 wheel 文件名（名称-版本-python-abi-平台.whl）。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="193"/>
        <source>{file} cannot be read as a wheel (a damaged or incomplete download?): {error}</source>
        <translation>无法将 {file} 作为 wheel 读取（文件损坏或下载不完整？）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="302"/>
        <source>Cannot write to {folder}: {error}</source>
        <translation>无法写入 {folder}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="313"/>
        <source>Installing {file} failed: {error}</source>
        <translation>安装 {file} 失败：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="348"/>
        <source>Could not download {url}: {error}</source>
        <translation>无法下载 {url}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="366"/>
        <source>{url} is not a wheel index: {error}</source>
        <translation>{url} 不是 wheel 索引：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="438"/>
        <source>This QGIS&apos;s Python has no pip. Install from a wheel file instead.</source>
        <translation>此 QGIS 的 Python 中没有 pip。请改为从 wheel 文件安装。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="189"/>
        <source>{file} has no METADATA: it is not a complete wheel.</source>
        <translation>{file} 中没有 METADATA：不是完整的 wheel 文件。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="267"/>
        <source>{file} contains an unsafe path: {name}</source>
        <translation>{file} 含有不安全的路径：{name}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="390"/>
        <source>{file} from {url} does not match its checksum.</source>
        <translation>来自 {url} 的 {file} 与其校验和不符。</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="440"/>
        <source>pip could not download shapely (no network?): {error}</source>
        <translation>pip 无法下载 shapely（没有网络？）：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/bootstrap/wheels.py" line="434"/>
        <source>pip could not run: {error}</source>
        <translation>pip 无法运行：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="44"/>
        <source>Grid {code} (layer {layer}, feature {fid}) is not in township {township}: a township proposes changes to its own grids only.</source>
        <translation>网格 {code}（图层 {layer}，要素 {fid}）不属于乡镇/街道 {township}：乡镇/街道只能申请变更本辖区的网格。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="48"/>
        <source>Grid {name} (layer {layer}, feature {fid}) has no code and no parent code: give it a parent grid code of township {township} so the change can be proposed.</source>
        <translation>网格 {name}（图层 {layer}，要素 {fid}）既无编码也无上级编码：请填写乡镇/街道 {township} 的上级网格编码后再申请变更。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="52"/>
        <source>Grid {code} (layer {layer}, feature {fid}) reaches {area:.1f} m² outside township {township}.</source>
        <translation>网格 {code}（图层 {layer}，要素 {fid}）有 {area:.1f} 平方米超出乡镇/街道 {township}。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="55"/>
        <source>No grid of township {township} was changed: there is nothing to propose.</source>
        <translation>乡镇/街道 {township} 的网格没有变动：没有可申请的内容。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="56"/>
        <source>Give the reason for the change (the written application, §7.6).</source>
        <translation>请填写变更理由（书面申请，第7.6条）。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="57"/>
        <source>The township code must have 9 digits (county + township), not {code!r}.</source>
        <translation>乡镇/街道代码必须为 9 位（县 + 乡镇），不能是 {code!r}。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="58"/>
        <source>Change request {set_id} is already {status}; only a proposed request can be decided.</source>
        <translation>变更申请 {set_id} 已经是“{status}”状态；只有待审批的申请可以审批。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="59"/>
        <source>Give the approval reference (批复文号) to approve change request {set_id}.</source>
        <translation>批准变更申请 {set_id} 需要填写批复文号。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="60"/>
        <source>Give the reason for rejecting change request {set_id}.</source>
        <translation>请填写驳回变更申请 {set_id} 的理由。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="61"/>
        <source>Grid {code} (layer {layer}, feature {fid}) was changed in the county&apos;s workspace after the request {set_id} was made; the request must be made again from the current grids.</source>
        <translation>网格 {code}（图层 {layer}，要素 {fid}）在变更申请 {set_id} 提交后已在县级工作空间中被修改；请依据当前网格重新提交申请。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="65"/>
        <source>Grid {code} (layer {layer}, feature {fid}) of request {set_id} is no longer in the county&apos;s workspace.</source>
        <translation>变更申请 {set_id} 涉及的网格 {code}（图层 {layer}，要素 {fid}）已不在县级工作空间中。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="68"/>
        <source>Code {code} of request {set_id} is already held by another grid or was used before; codes are never reused.</source>
        <translation>变更申请 {set_id} 中的编码 {code} 已被其他网格占用或曾经使用过；编码不得重复使用。</translation>
    </message>
    <message>
        <location filename="../plugin/core/changesets.py" line="71"/>
        <source>Change request {set_id} is for county {found}, this workspace is county {expected}.</source>
        <translation>变更申请 {set_id} 属于县 {found}，而本工作空间属于县 {expected}。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="44"/>
        <source>The sketch is empty: click at least three points for a polygon.</source>
        <translation>草图为空：请至少点击三个点来绘制面。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="45"/>
        <source>The sketched polygon is not valid ({reason}): its outline must not cross itself.</source>
        <translation>绘制的面无效（{reason}）：边界不能自相交。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="46"/>
        <source>The sketch lies outside {parent}: draw inside the parent grid.</source>
        <translation>草图位于{parent}之外：请在上级网格内绘制。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="47"/>
        <source>Nothing of the sketch is left: {parent} is already covered there by other grids.</source>
        <translation>草图已无剩余部分：{parent}的该处已被其他网格覆盖。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="48"/>
        <source>The line does not cross {grid}.</source>
        <translation>该线条没有穿过{grid}。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="49"/>
        <source>The line does not cut {grid} into pieces: draw it across from one side to the other, or as a closed ring inside.</source>
        <translation>该线条没有把{grid}切分开：请从一侧画到另一侧，或在其内部画一个闭合环。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="52"/>
        <source>The sketched line is not valid: give it at least two different points.</source>
        <translation>绘制的线条无效：请至少给出两个不同的点。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="53"/>
        <source>Splitting {grid} did not give an exact partition (area differs by {delta:.3f} m²); nothing was changed.</source>
        <translation>切分{grid}的结果不是严格的划分（面积相差 {delta:.3f} 平方米）；未作任何更改。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="56"/>
        <source>Choose at least two grids to merge.</source>
        <translation>请至少选择两个要合并的网格。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="57"/>
        <source>The grids {grids} are not adjacent (they share no boundary), so they cannot be merged into one grid.</source>
        <translation>网格{grids}互不相邻（没有共同边界），不能合并为一个网格。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="60"/>
        <source>{a} and {b} share no boundary.</source>
        <translation>{a}与{b}没有共同边界。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="61"/>
        <source>The new boundary must start and end on the boundary shared by {a} and {b} (snap to it).</source>
        <translation>新边界的起点和终点必须位于{a}与{b}的共同边界上（请捕捉到该边界）。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="64"/>
        <source>The new boundary leaves the area of {a} and {b}: keep it inside the two grids.</source>
        <translation>新边界超出了{a}和{b}的范围：请保持在这两个网格之内。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="65"/>
        <source>The new boundary is the same as the old one: nothing to change.</source>
        <translation>新边界与原边界相同：无需更改。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="66"/>
        <source>The new boundary would leave nothing of {grid}.</source>
        <translation>新边界会使{grid}不复存在。</translation>
    </message>
    <message>
        <location filename="../plugin/core/editing.py" line="67"/>
        <source>The new boundary would break {grid} into {parts} separate pieces.</source>
        <translation>新边界会使{grid}分裂为 {parts} 个互不相连的部分。</translation>
    </message>
    <message>
        <location filename="../plugin/core/filing.py" line="53"/>
        <source>Export refused: {count} error finding(s) of the audit run {run} are not accepted, e.g. {examples}. Correct them, accept them as exceptions, or export with an override reason.</source>
        <translation>拒绝导出：审核批次 {run} 中有 {count} 个错误级问题未被接受，例如 {examples}。请修正这些问题、将其接受为例外，或填写强制导出理由后再导出。</translation>
    </message>
    <message>
        <location filename="../plugin/core/filing.py" line="57"/>
        <source>County {county} is given twice ({first} and {second}); give one package per county.</source>
        <translation>县 {county} 出现了两次（{first} 和 {second}）；每个县只能提供一个备案数据包。</translation>
    </message>
    <message>
        <location filename="../plugin/core/filing.py" line="58"/>
        <source>{path} names no county (no package_metadata or workspace_info county_code).</source>
        <translation>{path} 中没有注明县（package_metadata 或 workspace_info 中没有 county_code）。</translation>
    </message>
    <message>
        <location filename="../plugin/core/filing.py" line="59"/>
        <source>Give at least one county package to merge.</source>
        <translation>请至少提供一个县的备案数据包进行合并。</translation>
    </message>
    <message>
        <location filename="../plugin/dependencies.py" line="77"/>
        <location filename="../plugin/gui/plugin.py" line="121"/>
        <location filename="../plugin/gui/plugin.py" line="95"/>
        <source>&amp;Community Grids</source>
        <translation>社区网格(&amp;C)</translation>
    </message>
    <message>
        <location filename="../plugin/dependencies.py" line="93"/>
        <location filename="../plugin/dependencies.py" line="99"/>
        <source>Install shapely…</source>
        <translation>安装 shapely…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="54"/>
        <source>{n} grid(s) get a new code.</source>
        <translation>{n} 个网格将获得新编码。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="62"/>
        <source>Nothing to apply.</source>
        <translation>没有需要应用的内容。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="67"/>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="67"/>
        <source>Feature id</source>
        <translation>要素编号</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="67"/>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Old code</source>
        <translation>原编码</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="67"/>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>New code</source>
        <translation>新编码</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="67"/>
        <location filename="../plugin/gui/audit_dock.py" line="476"/>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="109"/>
        <source>Save or discard the edits of {layers} first: the codes are written into the file in one step, together with the code registry and the change log.</source>
        <translation>请先保存或放弃 {layers} 的编辑：编码将与网格编码登记簿和变动记录一起，一步写入文件。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="56"/>
        <source>{n} grid(s) cannot be coded yet (see the reasons).</source>
        <translation>{n} 个网格暂时无法编码（见原因）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/allocation_preview.py" line="58"/>
        <source>{n} invalid code(s) are kept (re-coding was not asked).</source>
        <translation>保留了 {n} 个无效编码（未要求重新编码）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="96"/>
        <location filename="../plugin/gui/audit_task.py" line="28"/>
        <source>Grid audit</source>
        <translation>网格审核</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="269"/>
        <source>Auditing…</source>
        <translation>正在审核…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="426"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="195"/>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="426"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="196"/>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="426"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="197"/>
        <source>Notes</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="672"/>
        <source>Acceptances saved.</source>
        <translation>接受结果已保存。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="208"/>
        <source>No audit has been run on this workspace yet.</source>
        <translation>本网格工作空间尚未进行审核。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="238"/>
        <location filename="../plugin/gui/plugin.py" line="417"/>
        <location filename="../plugin/gui/plugin.py" line="428"/>
        <location filename="../plugin/gui/plugin.py" line="442"/>
        <location filename="../plugin/gui/plugin.py" line="467"/>
        <location filename="../plugin/gui/plugin.py" line="474"/>
        <source>Open or create a grid workspace first.</source>
        <translation>请先打开或新建网格工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="277"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="399"/>
        <source>{errors} errors ({blocking} blocking filing), {warnings} warnings, {infos} notes; {accepted} accepted.</source>
        <translation>错误 {errors} 个（其中 {blocking} 个妨碍备案），警告 {warnings} 个，提示 {infos} 个；已接受 {accepted} 个。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="415"/>
        <source>Acceptances not saved yet.</source>
        <translation>接受的例外尚未保存。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="536"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="176"/>
        <source>Audit findings</source>
        <translation>审核问题</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="576"/>
        <source>This finding has no place on the map.</source>
        <translation>该问题在地图上没有位置。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="701"/>
        <source>Run the audit first.</source>
        <translation>请先进行审核。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="720"/>
        <source>Export audit as JSON</source>
        <translation>将审核结果导出为 JSON</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="720"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="184"/>
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="724"/>
        <source>Export audit as HTML</source>
        <translation>将审核结果导出为 HTML</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="724"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="189"/>
        <source>HTML files (*.html)</source>
        <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="191"/>
        <source>Open a grid workspace, then run the audit.</source>
        <translation>请打开网格工作空间，然后开始审核。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="257"/>
        <source>The standard&apos;s size rules are used instead.</source>
        <translation>将改用规范规定的规模标准。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="265"/>
        <source>Grid audit of {county}</source>
        <translation>{county}网格审核</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="463"/>
        <source>{shown} of {total} findings shown</source>
        <translation>显示 {shown} / {total} 个问题</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="470"/>
        <source>[accepted] {message}</source>
        <translation>[已接受] {message}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="472"/>
        <source>[fixed, run the audit again] {message}</source>
        <translation>[已修复，请重新审核] {message}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="634"/>
        <source>Accepted: {message} — save the acceptances to keep them.</source>
        <translation>已接受：{message} — 请保存接受结果使其生效。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="714"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="330"/>
        <source>Report written to {path}.</source>
        <translation>报告已写入 {path}。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="203"/>
        <source>Findings of the last audit ({run}): {n}. Run the audit again to check the current grids.</source>
        <translation>上次审核（{run}）的问题：{n} 个。请重新审核以检查当前网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="292"/>
        <source>Auditing: {stage}</source>
        <translation>正在审核：{stage}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="305"/>
        <source>The audit failed.</source>
        <translation>审核失败。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="312"/>
        <source>The audit was cancelled; the previous findings are kept.</source>
        <translation>审核已取消；保留之前的审核问题。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="334"/>
        <source>Audit {run} finished.</source>
        <translation>审核 {run} 已完成。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="337"/>
        <source>{n} accepted exceptions no longer match a finding (the grids changed): they lapsed.</source>
        <translation>{n} 个已接受的例外已不再对应任何问题（网格已变更），已失效。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="251"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="244"/>
        <source>The code rule cannot be used: {error}</source>
        <translation>编码规则无法使用：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="307"/>
        <source>The audit failed: {error} (details in the log panel).</source>
        <translation>审核失败：{error}（详见日志面板）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_dock.py" line="448"/>
        <source>, {n} accepted</source>
        <translation>，已接受 {n} 个</translation>
    </message>
    <message>
        <location filename="../plugin/gui/audit_task.py" line="41"/>
        <source>reading the grids</source>
        <translation>读取网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="195"/>
        <source>List workspaces</source>
        <translation>列出工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="225"/>
        <source>Open shared workspace (PostGIS)</source>
        <translation>打开共享工作空间（PostGIS）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="287"/>
        <source>This change request has no map.</source>
        <translation>此变更申请没有示意图。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="559"/>
        <source>Propose change request</source>
        <translation>提交变更申请</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="85"/>
        <source>QGIS has no saved PostgreSQL connection: add one in the Browser (PostgreSQL → New Connection).</source>
        <translation>QGIS 中没有已保存的 PostgreSQL 连接：请先在浏览器面板中添加（PostgreSQL → 新建连接）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="244"/>
        <source>The map of the change: grids before in grey, after in red ({w} × {h} px).</source>
        <translation>变更示意图：变更前网格为灰色，变更后为红色（{w} × {h} 像素）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="261"/>
        <source>The pending edits change no boundary.</source>
        <translation>未保存的编辑没有改变任何网格边界。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="285"/>
        <location filename="../plugin/gui/change_requests.py" line="611"/>
        <source>Approve change request</source>
        <translation>批准变更申请</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="285"/>
        <location filename="../plugin/gui/change_requests.py" line="611"/>
        <source>Reject change request</source>
        <translation>驳回变更申请</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="288"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="182"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="231"/>
        <source>Approval reference (批复文号)</source>
        <translation>批复文号</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="288"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="223"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="268"/>
        <source>Reason for rejection</source>
        <translation>驳回理由</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="324"/>
        <source>Request</source>
        <translation>申请</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="325"/>
        <source>Township</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="326"/>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="225"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="232"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="269"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="306"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="327"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="83"/>
        <source>Proposed by</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="328"/>
        <source>Proposed at</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="329"/>
        <source>Approval</source>
        <translation>批复文号</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="330"/>
        <source>Decided by</source>
        <translation>审批人</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="366"/>
        <source>Open a shared workspace (PostGIS) to propose or decide change requests.</source>
        <translation>打开共享工作空间（PostGIS）后，可提交或审批变更申请。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="490"/>
        <source>There are no unsaved grid edits to propose: edit the grids of your township first (do not save).</source>
        <translation>没有可提交的未保存网格编辑：请先编辑本乡镇的网格（不要保存）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="519"/>
        <source>(preview)</source>
        <translation>（预览）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="643"/>
        <source>proposed</source>
        <translation>待审批</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="644"/>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="645"/>
        <source>rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="166"/>
        <source>Connecting to {where}…</source>
        <translation>正在连接 {where}…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="496"/>
        <source>Your unsaved grid edits in township {name} ({code}) become a change request for the county to decide; the grids stay as they are until it is approved.</source>
        <translation>您在{name}（{code}）未保存的网格编辑将作为变更申请提交县级审批；批准前网格保持不变。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="568"/>
        <source>Approve change request {id} of township {township}? Its grids become current at once.</source>
        <translation>批准乡镇 {township} 的变更申请 {id}？其网格将立即生效。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="570"/>
        <source>Reject change request {id} of township {township}? No grid changes.</source>
        <translation>驳回乡镇 {township} 的变更申请 {id}？网格不会改变。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="624"/>
        <location filename="../plugin/gui/division_action.py" line="436"/>
        <location filename="../plugin/gui/jobs_panel.py" line="384"/>
        <source>{job}: running…</source>
        <translation>{job}：正在运行…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="471"/>
        <source>Reason for rejection: {reason}</source>
        <translation>驳回理由：{reason}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="484"/>
        <source>Only a township role proposes change requests; {role}</source>
        <translation>只有乡镇角色可以提交变更申请；{role}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="620"/>
        <location filename="../plugin/gui/change_requests.py" line="142"/>
        <source>{job} failed.</source>
        <translation>{job}失败。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="190"/>
        <source>{n} workspaces in database {db}.</source>
        <translation>数据库 {db} 中有 {n} 个工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="192"/>
        <source>The database {db} holds no workspace you may read.</source>
        <translation>数据库 {db} 中没有您可读取的工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="409"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="330"/>
        <source>Workspace {schema} has no change requests: {error}</source>
        <translation>工作空间 {schema} 没有变更申请：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="523"/>
        <source>These edits cannot be proposed: {problem}</source>
        <translation>这些编辑不能提出变更申请：{problem}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="552"/>
        <source>Change request {id} proposed: {n} grids; the county decides it.</source>
        <translation>已提交变更申请 {id}：涉及 {n} 个网格，等待县级审批。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/change_requests.py" line="631"/>
        <location filename="../plugin/gui/jobs_panel.py" line="395"/>
        <source>{job} was cancelled; nothing was changed.</source>
        <translation>{job}已取消，未做任何修改。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="268"/>
        <source>Mark filed</source>
        <translation>标记为已备案</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Days left</source>
        <translation>剩余天数</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Deadline</source>
        <translation>截止日期</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Changed at</source>
        <translation>变动时间</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Area before (m²)</source>
        <translation>变动前面积（平方米）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Area after (m²)</source>
        <translation>变动后面积（平方米）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>Approval reference</source>
        <translation>批复文号</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="87"/>
        <source>User</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="240"/>
        <source>No workspace is open.</source>
        <translation>未打开网格工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="294"/>
        <source>Mark changes filed</source>
        <translation>将变动标记为已备案</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="242"/>
        <source>{pending} change(s) awaiting filing: {overdue} overdue, {soon} due within {days} days.</source>
        <translation>{pending} 项变动待备案：{overdue} 项已逾期，{soon} 项将在 {days} 天内到期。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="269"/>
        <source>Approval or filing reference for the {n} selected change(s) (optional):</source>
        <translation>所选 {n} 项变动的批复或备案文号（可不填）：</translation>
    </message>
    <message>
        <location filename="../plugin/gui/changes_panel.py" line="247"/>
        <source>{n} grid(s) edited and not saved yet: they join the log when the layers are saved.</source>
        <translation>{n} 个网格已编辑但尚未保存：保存图层后记入变更日志。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dialogs.py" line="82"/>
        <source>Retire {grid}? It keeps its geometry and code, with status &apos;retired&apos; and an end date.</source>
        <translation>确定撤销{grid}吗？撤销后保留其几何和编码，状态改为“已撤销”并记录停用日期。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="305"/>
        <source>Proposed level 3 division (preview)</source>
        <translation>三级网格自动划分（预览）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="76"/>
        <source>Parents divided</source>
        <translation>已划分的上级网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="77"/>
        <location filename="../plugin/processing/division_algorithms.py" line="138"/>
        <source>Proposed grids</source>
        <translation>建议网格数</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="78"/>
        <source>Within the size range</source>
        <translation>符合规模范围</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="79"/>
        <location filename="../plugin/gui/grid_tree.py" line="159"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="80"/>
        <source>Median compactness (Polsby–Popper)</source>
        <translation>紧凑度中位数（Polsby–Popper）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="81"/>
        <source>Cuts along the given lines</source>
        <translation>沿给定线划分的切分</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="82"/>
        <source>Parents not offered (audit)</source>
        <translation>未提供方案的上级网格（审核）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="295"/>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="332"/>
        <source>Propose level 3 division…</source>
        <translation>自动划分三级网格…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="335"/>
        <source>Divide the village or section selected in the grid tree into level 3 grids by the size rules</source>
        <translation>按规模规则将网格树中选中的村（社区）或片区划分为三级网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="452"/>
        <location filename="../plugin/gui/division_action.py" line="290"/>
        <source>The proposal is shown on the map. Accept it to write it into the workspace.</source>
        <translation>划分方案已显示在地图上。接受后写入工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="233"/>
        <source>The level 3 layer has unsaved edits: save it first, so that the grids to keep are those of the workspace file the proposal reads.</source>
        <translation>三级网格图层有未保存的编辑：请先保存，使要保留的网格与自动划分所读取的工作空间文件一致。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="266"/>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="266"/>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="124"/>
        <source>Divide {grid} ({n} level 2 grids) into level 3 grids by the size rules.</source>
        <translation>按规模规则将{grid}（{n}个二级网格）划分为三级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="192"/>
        <source>Keep the selected level 3 grids ({n} selected)</source>
        <translation>保留选中的三级网格（已选 {n} 个）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="435"/>
        <source>Propose level 3 division of {grid}</source>
        <translation>自动划分{grid}的三级网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="471"/>
        <source>{n} proposed grids ({first}…{last}) put into the level 3 layer, {removed} old grids removed: save the layer to keep them (the change log records the change), or undo.</source>
        <translation>已将{n}个方案网格（{first}…{last}）放入三级网格图层，删除{removed}个原有网格：保存图层即可保留（变更日志将记录此次变更），或撤销。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="137"/>
        <source>(the project has no line layer)</source>
        <translation>（项目中没有线图层）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="225"/>
        <source>Relocation sites in {layer} are points: choose the field that gives their households.</source>
        <translation>{layer}中的搬迁安置点为点位：请选择给出其户数的字段。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="375"/>
        <source>{grid} has no level 2 grid to divide.</source>
        <translation>{grid}没有可划分的二级网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="244"/>
        <source>{layer}: {error}</source>
        <translation>{layer}：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/division_action.py" line="282"/>
        <location filename="../plugin/processing/division_algorithms.py" line="212"/>
        <source>{parent}: not offered, the audit found: {problem}</source>
        <translation>{parent}：审核发现问题，未提供方案：{problem}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="477"/>
        <source>Work inside</source>
        <translation>在其内工作</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="400"/>
        <location filename="../plugin/gui/jobs_panel.py" line="249"/>
        <source>Open a grid workspace to start.</source>
        <translation>请打开一个网格工作空间开始工作。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="423"/>
        <source>Open a grid workspace first.</source>
        <translation>请先打开网格工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="479"/>
        <source>Add a grid inside…</source>
        <translation>在其内添加网格…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="481"/>
        <source>Add a dedicated grid…</source>
        <translation>添加专属网格…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="484"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="485"/>
        <source>Retire…</source>
        <translation>撤销…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="190"/>
        <source>Community Grids — {county}</source>
        <translation>社区网格 — {county}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="403"/>
        <source>Working inside: &lt;b&gt;{parent}&lt;/b&gt; — tools draw {level} grids.</source>
        <translation>当前工作范围：&lt;b&gt;{parent}&lt;/b&gt; — 工具将绘制{level}网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="465"/>
        <source>Filled {count} gaps.</source>
        <translation>已填补 {count} 处空隙。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="526"/>
        <source>{grid} was retired.</source>
        <translation>{grid}已撤销。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="566"/>
        <source>Live check: {n} problems ({errors} errors) around the edit ({grids} grids, {ms:.0f} ms).</source>
        <translation>实时检查：编辑处发现 {n} 个问题（{errors} 个错误）（检查 {grids} 个网格，用时 {ms:.0f} 毫秒）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="576"/>
        <source>Live check: no problem around the edit ({grids} grids, {ms:.0f} ms).</source>
        <translation>实时检查：编辑处未发现问题（检查 {grids} 个网格，用时 {ms:.0f} 毫秒）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="594"/>
        <source>Local basemap</source>
        <translation>本地底图</translation>
    </message>
    <message>
        <location filename="../plugin/gui/dock.py" line="501"/>
        <source>New name of {grid}:</source>
        <translation>{grid}的新名称：</translation>
    </message>
    <message>
        <location filename="../plugin/gui/grid_tree.py" line="63"/>
        <source>Without parent</source>
        <translation>无上级网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/grid_tree.py" line="80"/>
        <source>(no name)</source>
        <translation>（未命名）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/grid_tree.py" line="159"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/grid_tree.py" line="159"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../plugin/gui/grid_tree.py" line="159"/>
        <location filename="../plugin/processing/layout_algorithms.py" line="104"/>
        <source>Grids</source>
        <translation>网格数</translation>
    </message>
    <message>
        <location filename="../plugin/gui/grid_tree.py" line="173"/>
        <source>retired</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../plugin/gui/grid_tree.py" line="70"/>
        <source>Township {code}</source>
        <translation>乡镇（街道）{code}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/guard.py" line="34"/>
        <source>Unexpected error, nothing was changed: {error} (details in the log panel).</source>
        <translation>意外错误，未作任何更改：{error}（详见日志面板）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/households_dialog.py" line="55"/>
        <source>Attach</source>
        <translation>挂接</translation>
    </message>
    <message>
        <location filename="../plugin/gui/households_dialog.py" line="125"/>
        <location filename="../plugin/gui/jobs_panel.py" line="455"/>
        <location filename="../plugin/gui/jobs_panel.py" line="499"/>
        <location filename="../plugin/processing/household_algorithms.py" line="90"/>
        <source>Attach households</source>
        <translation>挂接住户</translation>
    </message>
    <message>
        <location filename="../plugin/gui/households_dialog.py" line="126"/>
        <source>Replace the households of every grid with this source anyway?</source>
        <translation>仍要用此数据源替换全部网格的户数吗？</translation>
    </message>
    <message>
        <location filename="../plugin/gui/households_dialog.py" line="81"/>
        <source>Save or discard the edits of {layers} first: the counts are written into the file.</source>
        <translation>请先保存或放弃 {layers} 的编辑：户数将直接写入文件。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/households_dialog.py" line="91"/>
        <source>Layer {layer} has no coordinate reference system: choose the CRS its points are in; nothing was written.</source>
        <translation>图层 {layer} 没有坐标参照系：请选择其点所用的坐标参照系；未写入任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/import_dialog.py" line="48"/>
        <source>Vector files (*.shp *.gpkg *.geojson *.json *.kml *.gml *.tab *.mif);;All files (*)</source>
        <translation>矢量文件 (*.shp *.gpkg *.geojson *.json *.kml *.gml *.tab *.mif);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../plugin/gui/import_dialog.py" line="104"/>
        <source>Choose a layer or a file to import.</source>
        <translation>请选择要导入的图层或文件。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/import_dialog.py" line="127"/>
        <source>Imported {count} grids from {layer} into {target}.</source>
        <translation>已从“{layer}”导入 {count} 个网格到“{target}”。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/import_dialog.py" line="70"/>
        <source>{path} exists but cannot be read as a vector file: {error}</source>
        <translation>{path} 存在，但无法作为矢量文件读取：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/install_dialog.py" line="61"/>
        <source>Choose a shapely wheel</source>
        <translation>选择 shapely 的 wheel 文件</translation>
    </message>
    <message>
        <location filename="../plugin/gui/install_dialog.py" line="61"/>
        <source>Wheel files (*.whl)</source>
        <translation>Wheel 文件 (*.whl)</translation>
    </message>
    <message>
        <location filename="../plugin/gui/install_dialog.py" line="99"/>
        <source>Installed; restart QGIS to use it.</source>
        <translation>已安装；重启 QGIS 后生效。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/install_dialog.py" line="47"/>
        <source>Installs into {folder}, for {python}. numpy and the other packages of QGIS&apos;s Python are not changed.</source>
        <translation>安装到 {folder}，适用于 {python}。numpy 及 QGIS 的 Python 中的其他包均不改动。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/install_dialog.py" line="83"/>
        <source>Downloading shapely with pip…</source>
        <translation>正在用 pip 下载 shapely…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/install_dialog.py" line="94"/>
        <source>shapely {version} works in this QGIS. Community Grids is loading.</source>
        <translation>shapely {version} 在此 QGIS 中工作正常，正在加载社区网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="683"/>
        <location filename="../plugin/gui/jobs_panel.py" line="158"/>
        <location filename="../plugin/gui/plugin.py" line="149"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="34"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="86"/>
        <location filename="../plugin/processing/city_db_algorithms.py" line="70"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="55"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="369"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="499"/>
        <location filename="../plugin/processing/pg_algorithms.py" line="123"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="167"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="180"/>
        <location filename="../plugin/processing/workspace_algorithms.py" line="64"/>
        <location filename="../plugin/processing/workspace_algorithms.py" line="131"/>
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="463"/>
        <source>Household points or table</source>
        <translation>住户点或住户表</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="465"/>
        <source>Vector files (*.gpkg *.shp *.geojson *.csv *.xlsx)</source>
        <translation>矢量文件 (*.gpkg *.shp *.geojson *.csv *.xlsx)</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="468"/>
        <location filename="../plugin/processing/household_algorithms.py" line="160"/>
        <source>Attach by</source>
        <translation>挂接方式</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="529"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="50"/>
        <source>Import staff</source>
        <translation>导入网格工作人员</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="535"/>
        <source>Staff register</source>
        <translation>工作人员名册</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="535"/>
        <location filename="../plugin/gui/staff_panel.py" line="217"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="80"/>
        <source>Staff registers (*.csv *.xlsx *.xlsm *.tsv *.txt)</source>
        <translation>网格工作人员名单 (*.csv *.xlsx *.xlsm *.tsv *.txt)</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="536"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="91"/>
        <source>Existing staff</source>
        <translation>已有工作人员</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="678"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="560"/>
        <source>Compare packages</source>
        <translation>比较备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="678"/>
        <source>What changed between a previous filing package and a new one.</source>
        <translation>比较上一次备案数据包与新数据包之间的变化。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="684"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="578"/>
        <source>Previous package</source>
        <translation>上一版备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="685"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="579"/>
        <source>New package</source>
        <translation>新版备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="277"/>
        <source>Your database role may not write the staff register of this shared workspace (the county role may).</source>
        <translation>您的数据库角色无权写入此共享工作空间的人员名册（县级角色可以）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="505"/>
        <source>Replace the counts</source>
        <translation>替换户数人数</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="617"/>
        <source>Staff phone numbers are not readable by your database role ({user}) in this shared workspace: the package carries none. Only the county role can include them.</source>
        <translation>您的数据库角色（{user}）无权读取此共享工作空间中的人员电话：备案包中不含电话。只有县级角色可以包含电话。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="702"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="594"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="606"/>
        <source>Changed grids</source>
        <translation>变动的网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="726"/>
        <source>Choose a township or village first.</source>
        <translation>请先选择镇（街道）或村（社区）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="146"/>
        <source>To export anyway, give the reason; it is recorded in the package.</source>
        <translation>如仍要导出，请填写理由；理由将记录在数据包中。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="411"/>
        <source>{job} finished.</source>
        <translation>{job}已完成。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="456"/>
        <source>Counts the households and persons of every grid of {county} and writes them into the grids.</source>
        <translation>统计{county}每个网格的户数和人数，并写入网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="470"/>
        <location filename="../plugin/processing/household_algorithms.py" line="162"/>
        <source>Automatic: points by location, a table without geometry by code or name</source>
        <translation>自动：点数据按位置，无几何的表格按编码或名称</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="471"/>
        <location filename="../plugin/processing/household_algorithms.py" line="163"/>
        <source>Location of the points</source>
        <translation>按点的位置</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="472"/>
        <location filename="../plugin/processing/household_algorithms.py" line="164"/>
        <source>Grid code or villager group name (table)</source>
        <translation>按网格编码或村民小组名称（表格）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="500"/>
        <source>Replace the counts of every grid with these anyway?</source>
        <translation>仍要用这些数据替换所有网格的户数人数吗？</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="530"/>
        <source>Reads a staff register (CSV or XLSX) into the staff table of {county}.</source>
        <translation>将工作人员名册（CSV 或 XLSX）导入{county}的工作人员表。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="536"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="92"/>
        <source>Append to the register</source>
        <translation>追加到名单</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="536"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="92"/>
        <source>Replace the register</source>
        <translation>替换名单</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="590"/>
        <source>{n} grids got a new code; the registry has {added} new codes. Save the layers to keep them.</source>
        <translation>{n} 个网格获得了新编码；编码登记簿新增 {added} 个编码。请保存图层以保留修改。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="247"/>
        <source>Jobs on {county} ({path})</source>
        <translation>{county}的任务（{path}）</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="639"/>
        <source>Filing package version {version} written: {grids} grids, {changes} changes → {path}</source>
        <translation>已写出第 {version} 版备案数据包：{grids} 个网格，{changes} 条变更 → {path}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="755"/>
        <source>Written to {path}; it could not be opened here.</source>
        <translation>已写入 {path}；无法在此打开。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="514"/>
        <source>Households attached: {households} households, {persons} persons; {grids} grids changed.</source>
        <translation>已挂接住户：{households} 户，{persons} 人；{grids} 个网格有变化。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="556"/>
        <source>Staff imported: {written} written, {rejected} rejected, {skipped} skipped.</source>
        <translation>已导入工作人员：写入 {written} 人，拒绝 {rejected} 行，跳过 {skipped} 行。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="706"/>
        <source>{n} grids changed between the packages; report {path}.</source>
        <translation>两个数据包之间有 {n} 个网格发生变化；报告：{path}。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="738"/>
        <source>{document}: {pages} pages, {grids} grids, {heads} grid heads → {path}</source>
        <translation>{document}：{pages} 页，{grids} 个网格，{heads} 名网格长 → {path}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/jobs_panel.py" line="400"/>
        <source>{job} failed: {error}</source>
        <translation>{job}失败：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="289"/>
        <location filename="../plugin/processing/import_algorithms.py" line="63"/>
        <source>Dedicated grid</source>
        <translation>专属网格</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="345"/>
        <source>Subdivide</source>
        <translation>细分</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="375"/>
        <source>Move shared boundary</source>
        <translation>调整共同边界</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="353"/>
        <source>Subdivided into {count} {level} grids.</source>
        <translation>已细分为 {count} 个{level}网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="380"/>
        <source>Draw one line for the new boundary.</source>
        <translation>请为新边界绘制一条线。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="484"/>
        <source>Merge cancelled: nothing was changed.</source>
        <translation>已取消合并：未做任何更改。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="490"/>
        <source>Merged {count} grids into {grid}.</source>
        <translation>已将 {count} 个网格合并为{grid}。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="521"/>
        <source>Gave the gap to the neighbouring grid with the longest shared boundary.</source>
        <translation>已将空隙划给共同边界最长的相邻网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="240"/>
        <source>A line needs at least two points.</source>
        <translation>线条至少需要两个点。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="282"/>
        <source>Added a {level} grid to layer {layer}.</source>
        <translation>已向图层“{layer}”添加一个{level}网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="319"/>
        <source>A dedicated grid lies inside one village or community: click inside a level 1 grid.</source>
        <translation>专属网格位于某一个村（社区）内：请在一级网格内点击。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="338"/>
        <source>Added a dedicated grid to layer {layer}.</source>
        <translation>已向图层“{layer}”添加一个专属网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="355"/>
        <source>Households and population counted from the household points.</source>
        <translation>户数和人口已按住户点统计。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="383"/>
        <source>Moved the boundary between two {level} grids.</source>
        <translation>已调整两个{level}网格之间的边界。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="270"/>
        <source>The click lies outside {parent}: start the new grid inside it.</source>
        <translation>点击位置在{parent}之外：请在其内部开始绘制新网格。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="360"/>
        <source>The workspace has no household points: households and population were shared by area; attach the households to count them.</source>
        <translation>工作空间没有住户点：户数和人口已按面积分摊；请挂接住户以按实际统计。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="455"/>
        <source>There is no active {level} grid here: click inside the grids to merge.</source>
        <translation>此处没有有效的{level}网格：请在要合并的网格内点击。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="493"/>
        <source>Codes retired when saved: {codes}.</source>
        <translation>保存时撤销的编码：{codes}。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="496"/>
        <source>Grid head {name} moves to {grid} when saved.</source>
        <translation>保存时网格长{name}调整到{grid}。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="498"/>
        <source>{grid} keeps its grid head; assign another grid to: {heads}.</source>
        <translation>{grid}保留其原网格长；请为以下人员指定其他网格：{heads}。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/map_tools.py" line="523"/>
        <source>Filled the gap with a new {level} grid.</source>
        <translation>已用一个新的{level}网格填补空隙。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/message_bar.py" line="81"/>
        <source>Details…</source>
        <translation>详情…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/message_bar.py" line="83"/>
        <source>Show the whole message</source>
        <translation>显示完整消息</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="53"/>
        <source>New grid workspace…</source>
        <translation>新建网格工作空间…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="54"/>
        <source>Open grid workspace…</source>
        <translation>打开网格工作空间…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="55"/>
        <source>Open shared workspace (PostGIS)…</source>
        <translation>打开共享工作空间（PostGIS）…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="56"/>
        <source>Build Hanbin sample workspace…</source>
        <translation>生成汉滨区示例网格工作空间…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="57"/>
        <source>Grid workspace panel</source>
        <translation>网格工作空间面板</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="58"/>
        <source>Import grid boundaries…</source>
        <translation>导入网格边界…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="59"/>
        <source>Size and staffing compliance map</source>
        <translation>规模与人员配备达标情况图</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="60"/>
        <source>Allocate grid codes…</source>
        <translation>分配网格编码…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="61"/>
        <source>Attach households…</source>
        <translation>挂接住户…</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="62"/>
        <location filename="../plugin/processing/audit_algorithms.py" line="62"/>
        <source>Audit grid workspace</source>
        <translation>审核网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="149"/>
        <source>Open grid workspace</source>
        <translation>打开网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="400"/>
        <location filename="../plugin/gui/staff_panel.py" line="207"/>
        <source>Staff</source>
        <translation>网格工作人员</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="402"/>
        <location filename="../plugin/gui/rules_panel.py" line="334"/>
        <source>Size rules</source>
        <translation>规模标准</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="405"/>
        <source>Changes to file</source>
        <translation>待备案的变动</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="408"/>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="411"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="59"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="121"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="165"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="209"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="94"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="143"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="216"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="256"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="291"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="313"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="316"/>
        <source>Change requests</source>
        <translation>网格变更申请</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="169"/>
        <source>Opened grid workspace {name} ({path}).</source>
        <translation>已打开网格工作空间 {name}（{path}）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="285"/>
        <location filename="../plugin/gui/plugin.py" line="308"/>
        <source>Reattached grid workspace {name} ({path}) of this project.</source>
        <translation>已重新关联本项目的网格工作空间 {name}（{path}）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="207"/>
        <source>Opened shared workspace {name} ({path}). {role}</source>
        <translation>已打开共享工作空间 {name}（{path}）。{role}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="257"/>
        <source>The Tianditu key was taken out of the basemap layers {layers} of this project and kept in your QGIS settings; save the project so that it no longer holds the key.</source>
        <translation>已将天地图密钥从本项目的底图图层 {layers} 中移出，保存在您的 QGIS 设置中；请保存项目，使项目文件不再包含该密钥。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/plugin.py" line="303"/>
        <location filename="../plugin/gui/plugin.py" line="278"/>
        <source>The project&apos;s grid workspace could not be reopened: {error}</source>
        <translation>无法重新打开本项目的网格工作空间：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="195"/>
        <source>The standard&apos;s default thresholds are in the table; Save to keep them.</source>
        <translation>规范的默认阈值已填入表中；点击“保存”后生效。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="278"/>
        <source>range</source>
        <translation>户数/人数范围</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="279"/>
        <source>merge small groups</source>
        <translation>小组合并</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="280"/>
        <source>relocation site</source>
        <translation>搬迁安置点</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="281"/>
        <source>either within</source>
        <translation>满足其一</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="282"/>
        <source>both within</source>
        <translation>同时满足</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="335"/>
        <source>The size rules have unsaved changes. Discard them?</source>
        <translation>规模标准有未保存的修改。是否放弃？</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="119"/>
        <source>{count} size rules of {path}.</source>
        <translation>{path} 中的 {count} 条规模标准。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/rules_panel.py" line="166"/>
        <source>Saved {count} size rules in {path}.</source>
        <translation>已在 {path} 中保存 {count} 条规模标准。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/session.py" line="60"/>
        <source>{grid} is a {level} grid: it has no smaller grids inside. Work inside its parent instead.</source>
        <translation>{grid}是{level}网格，其下不再划分网格。请改为在其上级网格内工作。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="104"/>
        <source>Add staff member</source>
        <translation>添加工作人员</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="117"/>
        <source>Remove staff members</source>
        <translation>删除工作人员</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="174"/>
        <source>Staff table saved.</source>
        <translation>网格工作人员表已保存。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="208"/>
        <source>Some rows have problems (see the report). Save anyway?</source>
        <translation>部分记录存在问题（见报告）。仍要保存吗？</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="223"/>
        <source>Add the register&apos;s rows to the staff table, or replace the staff table with them?</source>
        <translation>将名单中的记录追加到工作人员表，还是用它们替换工作人员表？</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="224"/>
        <source>Append</source>
        <translation>追加</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="225"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="248"/>
        <source>No grid workspace is open.</source>
        <translation>未打开网格工作空间。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="130"/>
        <source>{written} rows imported from {file} into the edit buffer ({mode}); {rejected} rejected, {skipped} skipped. Save to keep them, Undo to take them back.</source>
        <translation>已从 {file} 导入 {written} 条记录到编辑缓存（{mode}）；拒绝 {rejected} 条，跳过 {skipped} 条。点击“保存”生效，点击“撤销”取消导入。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="238"/>
        <source>{written} staff rows imported, {rejected} rejected (see the staff panel).</source>
        <translation>已导入 {written} 条工作人员记录，拒绝 {rejected} 条（见网格工作人员面板）。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="107"/>
        <source>Layer {layer}: the row could not be added.</source>
        <translation>图层“{layer}”：无法添加该记录。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="120"/>
        <source>Layer {layer}: the rows could not be deleted.</source>
        <translation>图层“{layer}”：无法删除这些记录。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="136"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="181"/>
        <source>replaced</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="136"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="181"/>
        <source>appended</source>
        <translation>追加</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="164"/>
        <source>The staff table was not saved:</source>
        <translation>网格工作人员表未保存：</translation>
    </message>
    <message>
        <location filename="../plugin/gui/staff_panel.py" line="170"/>
        <source>Layer {layer} could not be saved: {errors}</source>
        <translation>无法保存图层“{layer}”：{errors}</translation>
    </message>
    <message>
        <location filename="../plugin/gui/task_runner.py" line="162"/>
        <source>The algorithm {id} is not available.</source>
        <translation>算法 {id} 不可用。</translation>
    </message>
    <message>
        <location filename="../plugin/gui/task_runner.py" line="178"/>
        <source>{name} could not start.</source>
        <translation>{name}无法启动。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="64"/>
        <source>Audit</source>
        <translation>审核</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="65"/>
        <source>Checks a grid workspace against the standard: each grid&apos;s geometry (null, not a polygon, invalid, several parts, holes, tiny or thin), overlaps within a level, gaps and parts beyond the parent between levels (level 3 in level 2 in level 1, dedicated grids in one village), coverage of the county boundary, grid codes, the size rules of §7.3.3 (the workspace&apos;s own thresholds) and staffing (§8.1, §8.2).

Input: a workspace GeoPackage, or separate polygon layers for the levels (each optional; a layer given here replaces the workspace&apos;s layer of that level). Layers need a &apos;code&apos; field and a projected CRS in metres, all the same. Size rules are checked when the level 3 grids have household counts, staffing when a workspace (with its staff register) is given.

Code rule: the rule the codes follow, e.g. village12+2+3 (12-digit village code + 2 digits per section + 3 per group, the default) or village12+3+3. Empty: the workspace&apos;s rule; for loose layers without a workspace, the rule the codes&apos; widths per level follow, stated in the findings and the reports.

Tolerances: pieces at or below the noise thresholds come from rounding and are never reported; gaps and overlaps below the sliver area are reported as slivers (warnings); larger ones as gaps and overlaps (errors) whatever their shape, labelled strip-shaped when thinner than the sliver width.

Outputs: the findings as a polygon layer (the schema&apos;s audit_findings fields), a JSON report and a bilingual HTML report with a summary by rule and by township and village. Findings accepted as exceptions in the workspace (audit_exceptions) stay accepted while their geometry is unchanged. With &apos;Write findings to the workspace&apos; the workspace&apos;s audit_findings table is replaced by this run&apos;s.</source>
        <translation>按规范检查网格工作空间：各网格的几何（为空、不是面、无效、多部件、含洞、过小或过窄），同一层级内的重叠，上下级之间的空隙和超出上级的部分（三级在二级内、二级在一级内，专属网格在某一个村内），对县界的覆盖，网格编码，§7.3.3 的规模标准（使用网格工作空间自身的阈值）以及人员配备（§8.1、§8.2）。

输入：网格工作空间 GeoPackage，或分别提供各层级的面图层（均可选；在此提供的图层将替代网格工作空间中同一层级的图层）。图层需有“code”字段，并统一采用以米为单位的同一投影坐标系。三级网格有户数统计时检查规模标准，提供网格工作空间（含网格工作人员名单）时检查人员配备。

编码规则：网格编码遵循的规则，例如 village12+2+3（12 位村/社区代码 + 片区 2 位 + 村民小组 3 位，默认）或 village12+3+3。留空：使用网格工作空间的编码规则；未提供网格工作空间的单独图层，则按各级编码的位数推断，并在问题清单和报告中说明。

容差：不超过噪声阈值的碎片来自坐标舍入，从不报告；面积小于狭长碎片面积的空隙和重叠作为狭长碎片报告（警告）；更大的无论形状均作为空隙和重叠报告（错误），窄于狭长碎片宽度的标注为狭长条状。

输出：问题面图层（字段同数据结构中的 audit_findings）、JSON 报告，以及按规则和按乡镇、村汇总的中英文 HTML 报告。在网格工作空间中已接受为例外的问题（audit_exceptions）只要几何不变就保持已接受。勾选“将问题写入网格工作空间”时，网格工作空间的 audit_findings 表将被本次审核结果替换。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="147"/>
        <source>Noise area (m²): smaller pieces are rounding noise, never reported</source>
        <translation>噪声面积（平方米）：更小的碎片视为舍入噪声，从不报告</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="148"/>
        <source>Noise width (m): thinner pieces are rounding noise, never reported</source>
        <translation>噪声宽度（米）：更窄的碎片视为舍入噪声，从不报告</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="149"/>
        <source>Sliver area (m²): smaller gaps and overlaps are slivers (warnings), larger ones errors</source>
        <translation>狭长碎片面积（平方米）：更小的空隙和重叠为狭长碎片（警告），更大的为错误</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="150"/>
        <source>Sliver width (m): thinner gaps and overlaps are labelled strip-shaped</source>
        <translation>狭长碎片宽度（米）：更窄的空隙和重叠标注为狭长条状</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="151"/>
        <source>Tiny grid area (m²): smaller grids are reported as tiny</source>
        <translation>过小网格面积（平方米）：更小的网格报告为过小</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="152"/>
        <source>Thin grid width (m): narrower grids are reported as thin</source>
        <translation>过窄网格宽度（米）：更窄的网格报告为过窄</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="121"/>
        <location filename="../plugin/processing/division_algorithms.py" line="90"/>
        <location filename="../plugin/processing/household_algorithms.py" line="147"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="85"/>
        <source>Grid workspace (GeoPackage)</source>
        <translation>网格工作空间（GeoPackage）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="128"/>
        <source>Level 1 grids (villages and communities)</source>
        <translation>一级网格（村/社区）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="129"/>
        <source>Level 2 grids (sections)</source>
        <translation>二级网格（片区）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="130"/>
        <source>Level 3 grids (groups, streets, buildings)</source>
        <translation>三级网格（村民小组、街巷、楼栋）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="131"/>
        <location filename="../plugin/processing/layout_algorithms.py" line="75"/>
        <source>Dedicated grids</source>
        <translation>专属网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="132"/>
        <source>County boundary</source>
        <translation>县界</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="140"/>
        <source>Code rule (e.g. village12+3+3; empty: the workspace&apos;s, or inferred from the codes)</source>
        <translation>编码规则（例如 village12+3+3；留空：使用网格工作空间的规则，或按编码推断）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="161"/>
        <source>Check the size rules of level 3 grids</source>
        <translation>检查三级网格的规模标准</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="164"/>
        <source>Check staffing (workspace only)</source>
        <translation>检查人员配备（仅限网格工作空间）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="169"/>
        <source>Write findings to the workspace (replaces the previous run&apos;s findings)</source>
        <translation>将问题写入网格工作空间（替换上次审核的问题）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="184"/>
        <source>JSON report</source>
        <translation>JSON 报告</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="189"/>
        <source>HTML report</source>
        <translation>HTML 报告</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="192"/>
        <source>Audit run</source>
        <translation>审核批次</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="194"/>
        <location filename="../plugin/processing/city_db_algorithms.py" line="130"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="502"/>
        <source>Findings</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="198"/>
        <source>Errors not accepted (blocking filing)</source>
        <translation>未接受的错误（妨碍备案）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="199"/>
        <source>Findings accepted as exceptions</source>
        <translation>已接受为例外的问题</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="274"/>
        <source>Level 3 grids without &apos;households&apos; or &apos;population&apos; fields: the size rules were not checked.</source>
        <translation>三级网格没有“households”或“population”字段：未检查规模标准。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="386"/>
        <source>Nothing to audit: give a grid workspace or at least one grid layer.</source>
        <translation>没有可审核的内容：请提供网格工作空间或至少一个网格图层。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="266"/>
        <source>No workspace: staffing was not checked (it needs the staff register).</source>
        <translation>未提供网格工作空间：未检查人员配备（需要网格工作人员名单）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="269"/>
        <source>No workspace is given: the findings were not written anywhere.</source>
        <translation>未提供网格工作空间：审核问题未写入任何地方。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="444"/>
        <source>Audit run {run}: {errors} errors, {warnings} warnings, {infos} notes; {accepted} accepted.</source>
        <translation>审核批次 {run}：错误 {errors} 个，警告 {warnings} 个，提示 {infos} 个；已接受 {accepted} 个。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="246"/>
        <source>Codes are checked with the code rule {rule}.</source>
        <translation>按编码规则 {rule} 检查网格编码。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="338"/>
        <source>{n} findings of run {run} written to the workspace&apos;s audit findings.</source>
        <translation>审核批次 {run} 的 {n} 个问题已写入网格工作空间的审核问题表。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="433"/>
        <source>Workspace {path} ({county}).</source>
        <translation>网格工作空间 {path}（{county}）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="460"/>
        <source>{message} (accepted: {reason})</source>
        <translation>{message}（已接受：{reason}）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="467"/>
        <source>… and {n} more findings (see the findings layer and the reports).</source>
        <translation>……另有 {n} 个问题（见问题图层和报告）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="230"/>
        <source>The tolerances cannot be used: {error}</source>
        <translation>容差设置无法使用：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="409"/>
        <source>{what}: layer {layer} ({n} features).</source>
        <translation>{what}：图层“{layer}”（{n} 个要素）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="426"/>
        <source>Layer {layer} has no boundary polygon: county coverage is not checked.</source>
        <translation>图层“{layer}”没有县界面：未检查对县界的覆盖。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="379"/>
        <source>Layer {layer} is in {crs}, but the audit runs in {audit_crs} (of {other}); reproject it to that CRS first.</source>
        <translation>图层“{layer}”采用 {crs}，但审核在 {audit_crs}（取自{other}）下进行；请先将其重投影到该坐标系。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/audit_algorithms.py" line="415"/>
        <source>Layer {layer} is empty: it has no grids to audit.</source>
        <translation>图层“{layer}”为空：没有可审核的网格。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/base.py" line="29"/>
        <source>Workspace</source>
        <translation>网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/base.py" line="79"/>
        <source>Smallest overlap or gap reported (m²)</source>
        <translation>报告的最小重叠或空隙面积（平方米）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/base.py" line="80"/>
        <source>Border tolerance (m)</source>
        <translation>边界容差（米）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/base.py" line="155"/>
        <source>{name}: {path} is a {kind} file; this input takes {kinds} files. Save it in one of those formats.</source>
        <translation>{name}：{path} 是 {kind} 文件；此项只接受 {kinds} 文件。请另存为其中一种格式。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/base.py" line="160"/>
        <source>(no extension)</source>
        <translation>（无扩展名）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/base.py" line="124"/>
        <source>{name}: {path} is not UTF-8 text (GBK/GB18030?). QGIS reads text tables as UTF-8, so its Chinese headers and values would be garbled; save it as UTF-8 CSV (Excel: “CSV UTF-8”) and run again.</source>
        <translation>{name}：{path} 不是 UTF-8 文本（可能是 GBK/GB18030）。QGIS 按 UTF-8 读取文本表格，其中的中文表头和内容会成为乱码；请另存为 UTF-8 编码的 CSV（Excel：“CSV UTF-8”）后重新运行。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/base.py" line="130"/>
        <source>{name}: the file {path} exists but cannot be read as a GeoPackage or other vector file: {error}</source>
        <translation>{name}：文件 {path} 存在，但无法作为 GeoPackage 或其他矢量文件读取：{error}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="57"/>
        <source>Propose a change set (township)</source>
        <translation>提交网格变更申请（乡镇/街道）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="60"/>
        <source>A township&apos;s written application for a change of its grids (§7.6): compares its edited copy of the county&apos;s workspace with the workspace as it got it and writes a change-set package (GeoPackage) with what changes (every added, modified or retired grid with its values and geometry before and after), why and who. Only the township&apos;s own grids may change; an edit to another township&apos;s grid is refused.</source>
        <translation>乡镇/街道对本辖区网格变更的书面申请（第7.6条）：将编辑后的县级工作空间副本与收到时的工作空间比较，写出变更申请数据包（GeoPackage），内容包括变更内容（每个新增、修改或撤销的网格及其变更前后的属性和范围）、变更理由和申请人。只能变更本乡镇/街道的网格；修改其他乡镇/街道网格的编辑将被拒绝。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="119"/>
        <source>Review a change set (county)</source>
        <translation>审查网格变更申请（县级）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="122"/>
        <source>The county&apos;s review of a township&apos;s change-set package: checks that the grids it changes are as they were when it was made, and audits the workspace as it would be with the change applied (topology, nesting, coverage, codes, sizes); lists the findings the change brings. Nothing is written.</source>
        <translation>县级审查乡镇/街道的变更申请数据包：检查其涉及的网格自申请以来未被改动，并对应用变更后的工作空间进行审核（拓扑、嵌套、覆盖、编码、规模），列出变更带来的问题。不写入任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="163"/>
        <source>Approve a change set (county)</source>
        <translation>批准网格变更申请（县级）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="166"/>
        <source>Approves a township&apos;s change-set package with the approval reference (批复文号): in one transaction the grids change, the change log records every change with the reference (the 7-day filing clock of §7.5 starts now) and the code registry issues and retires codes; the decision is written back into the package. A change set whose grids were changed since it was made is refused, nothing written.</source>
        <translation>以批复文号批准乡镇/街道的变更申请数据包：在一个事务中修改网格，变动记录登记每项变动及批复文号（第7.5条规定的7日备案时限自此开始），编码登记簿发放和停用编码；审批结果写回数据包。若申请涉及的网格在申请后已被修改，则拒绝批准，不写入任何内容。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="207"/>
        <source>Reject a change set (county)</source>
        <translation>驳回网格变更申请（县级）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="210"/>
        <source>Rejects a township&apos;s change-set package with a reason. The decision is written into the package for the township; the county&apos;s workspace is not changed.</source>
        <translation>说明理由驳回乡镇/街道的变更申请数据包。审批结果写入数据包交回乡镇/街道；县级工作空间不做任何修改。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="78"/>
        <source>County workspace as received</source>
        <translation>收到时的县级工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="79"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="164"/>
        <source>Township&apos;s edited workspace</source>
        <translation>乡镇/街道编辑后的工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="80"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="170"/>
        <source>Township code (9 digits)</source>
        <translation>乡镇/街道代码（9位）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="81"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="171"/>
        <source>Reason for the change</source>
        <translation>变更理由</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="82"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="172"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="84"/>
        <location filename="../plugin/processing/workspace_algorithms.py" line="62"/>
        <location filename="../plugin/processing/workspace_algorithms.py" line="129"/>
        <source>Replace an existing file</source>
        <translation>替换已有文件</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="86"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="134"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="181"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="222"/>
        <source>Change-set package</source>
        <translation>变更申请数据包</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="88"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="183"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="230"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="267"/>
        <source>Change request id</source>
        <translation>变更申请编号</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="89"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="184"/>
        <source>Grids changed</source>
        <translation>变更网格数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="133"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="180"/>
        <location filename="../plugin/processing/changeset_algorithms.py" line="221"/>
        <source>County workspace</source>
        <translation>县级工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="135"/>
        <source>Findings with the change</source>
        <translation>变更后的审核问题数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="136"/>
        <source>Findings the change brings</source>
        <translation>变更带来的审核问题数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="183"/>
        <source>Approved by</source>
        <translation>批准人</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="184"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="233"/>
        <source>File with the city by</source>
        <translation>向市级备案截止日期</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="185"/>
        <source>Change log records</source>
        <translation>变动记录条数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="224"/>
        <source>Rejected by</source>
        <translation>驳回人</translation>
    </message>
    <message>
        <location filename="../plugin/processing/changeset_algorithms.py" line="154"/>
        <source>{count} finding(s) with the change, {new} of them brought by it.</source>
        <translation>变更后共有 {count} 个审核问题，其中 {new} 个由本次变更带来。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="45"/>
        <source>Take a county package into the city database</source>
        <translation>县级数据包入市级数据库</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="47"/>
        <location filename="../plugin/processing/city_db_algorithms.py" line="111"/>
        <source>City database</source>
        <translation>市级数据库</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="48"/>
        <source>Synchronisation (§7.5): takes a county&apos;s filing package into the city&apos;s PostGIS database in one transaction. The county&apos;s current grids are replaced by the package&apos;s; the previous ones keep their history (valid_from / valid_to) and stay queryable. The city schema is created on first use, in the CRS given (a metric CRS; default: the CGCS2000 Gauss-Kruger zone of the package).</source>
        <translation>同步（第7.5条）：在一个事务中将县级备案数据包导入市级 PostGIS 数据库。该县的现行网格由数据包中的网格替换；原有网格保留历史（valid_from / valid_to），仍可查询。首次使用时按给定坐标系（米制坐标系；默认为数据包所在的 CGCS2000 高斯-克吕格投影带）创建市级模式。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="109"/>
        <source>Check the city database</source>
        <translation>市级数据库审核</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="112"/>
        <source>The city&apos;s checks across county borders on the current grids of the city database: grid codes used in more than one county, level 1 grids overlapping across a county border, gaps between counties along their borders, level 1 codes outside their county. The findings are stored in the table city_findings under a new run id.</source>
        <translation>对市级数据库现行网格进行跨县检查：多个县重复使用的网格编码、跨县界重叠的一级网格、县界处的缝隙、不属于本县的一级网格编码。问题以新的审核批次写入 city_findings 表。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="32"/>
        <source>City database (connection string or QGIS connection)</source>
        <translation>市级数据库（连接字符串或 QGIS 连接名）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="34"/>
        <source>Schema</source>
        <translation>模式</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="67"/>
        <source>County filing package</source>
        <translation>县级备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="73"/>
        <source>CRS of a new city database</source>
        <translation>新建市级数据库的坐标系</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="74"/>
        <source>County</source>
        <translation>县</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="75"/>
        <source>Grids taken in</source>
        <translation>入库网格数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="76"/>
        <source>Grids replaced</source>
        <translation>被替换的网格数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="129"/>
        <source>Run id</source>
        <translation>审核批次</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="131"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="503"/>
        <source>Error findings</source>
        <translation>错误级问题</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="100"/>
        <source>County {county}: {grids} grids taken in, {replaced} previous grids kept as history.</source>
        <translation>县 {county}：入库 {grids} 个网格，原有 {replaced} 个网格保留为历史。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="160"/>
        <source>{count} finding(s) over {counties} counties (run {run}).</source>
        <translation>{counties} 个县共有 {count} 个问题（批次 {run}）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/city_db_algorithms.py" line="93"/>
        <source>Created the city schema {name} in {crs}.</source>
        <translation>已按 {crs} 创建市级模式 {name}。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="51"/>
        <source>Propose the level 3 division</source>
        <translation>自动建议三级网格划分</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="53"/>
        <location filename="../plugin/processing/household_algorithms.py" line="92"/>
        <location filename="../plugin/processing/staff_algorithms.py" line="52"/>
        <source>Households, size and staff</source>
        <translation>住户、规模与人员</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="54"/>
        <source>Divides level 2 grids into level 3 grids automatically by the standard&apos;s size rules (§7.3.3): 30–50 households per rural grid, 50–80 per urban grid (the workspace&apos;s rules), each grid an edge-connected polygon, all of them partitioning their parent exactly. Boundaries follow the given lines (roads, rivers, ridges, walls) where a cut along them keeps the grids in range; elsewhere a straight cut half-way between two households. A relocation site of 40 households or more stands alone (§7.3.3 g); a smaller one stays with its group (f). Grids whose codes are listed as locked are kept; the rest of their parent is divided again.

Households are the workspace&apos;s household points (one household each, persons from &apos;persons&apos;). A household on a shared boundary counts in the grid that comes first west to east, north to south (the one that gets the lowest code).

The output is a preview layer: each grid&apos;s households, persons, status (within, under, over, relocation site, locked), the rule it meets or why it cannot, and its compactness (Polsby–Popper). Each proposal is audited first; a parent whose proposal would carry a finding the present drawing does not is not offered. Nothing is written unless &apos;accept&apos; is on: then, in one transaction, the parents&apos; present level 3 grids (not locked) are retired, the proposed grids added with codes allocated by the workspace&apos;s code rule (west to east, north to south), and the change log and the code registry updated.</source>
        <translation>按标准的规模规定（7.3.3）自动将二级网格划分为三级网格：农村每格 30—50 户，城镇每格 50—80 户（以工作空间的规则为准），每个网格为边相连的单个面，全部网格恰好铺满上级网格。在沿线切分仍能使网格规模达标时，边界沿给定的线（道路、河流、山脊、围墙）；否则在两户之间的中点处直线切分。40 户及以上的搬迁安置点单独成格（7.3.3 g），较小的安置点随所在村民小组划分（f）。列为锁定的网格保持不变，其上级网格的其余部分重新划分。

住户取自工作空间的住户点（每点一户，人口取 persons 字段）。位于公共边界上的住户计入自西向东、自北向南排在最前的网格（即获得最小编码的网格）。

输出为预览图层：每个网格的户数、人口、状态（达标、偏小、偏大、搬迁安置点、锁定）、符合的规则或无法达标的原因，以及紧凑度（Polsby–Popper）。每个方案先经审核；若方案会带来现有绘制所没有的问题，则不提供该上级网格的方案。只有勾选“采纳”才写入：在一个事务中撤销这些上级网格现有的（未锁定的）三级网格，按工作空间的编码规则（自西向东、自北向南）分配编码并新增建议网格，同时更新变更记录和编码登记表。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="96"/>
        <source>Codes of the level 2 grids to divide (comma-separated; blank: all)</source>
        <translation>要划分的二级网格编码（逗号分隔；留空：全部）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="104"/>
        <source>Lines the boundaries should follow (roads, rivers, ridges, walls)</source>
        <translation>网格边界应沿循的线（道路、河流、山脊、围墙）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="112"/>
        <source>Relocation sites (points or polygons)</source>
        <translation>搬迁安置点（点或面）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="120"/>
        <source>Relocation sites: household count field (points)</source>
        <translation>搬迁安置点：户数字段（点）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="127"/>
        <source>Codes of level 3 grids to keep (locked)</source>
        <translation>保留不变（锁定）的三级网格编码</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="129"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="131"/>
        <source>Accept: write the proposal into the workspace</source>
        <translation>采纳：将建议方案写入工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="135"/>
        <source>Proposed level 3 grids (preview)</source>
        <translation>建议的三级网格（预览）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="139"/>
        <source>Proposed grids within the size range</source>
        <translation>规模达标的建议网格数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="140"/>
        <source>Parents not offered</source>
        <translation>未提供方案的上级网格数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="141"/>
        <source>Grids written</source>
        <translation>写入的网格数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="256"/>
        <source>Nothing was written (accept is off): this is a preview.</source>
        <translation>未写入任何内容（未勾选采纳）：这是预览。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="232"/>
        <source>{n} grids proposed in {parents} parents, {within} within the size range.</source>
        <translation>在 {parents} 个上级网格中建议 {n} 个网格，其中 {within} 个规模达标。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="247"/>
        <source>Wrote {n} grids with codes {first}…{last}; {retired} grids retired; {log} change log rows.</source>
        <translation>已写入 {n} 个网格，编码 {first}…{last}；撤销 {retired} 个网格；变更记录 {log} 条。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/division_algorithms.py" line="199"/>
        <location filename="../plugin/processing/division_algorithms.py" line="205"/>
        <source>{parent}: {problem}</source>
        <translation>{parent}：{problem}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="91"/>
        <source>Allocate codes</source>
        <translation>分配编码</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="93"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="210"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="305"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="469"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="562"/>
        <source>Codes and filing</source>
        <translation>编码与备案</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="94"/>
        <source>Plans grid codes by the code rule stored in the workspace: grids without a code (and, when asked, with a code that breaks the rule, or a duplicated one) get the next free number under their parent, numbered west to east and north to south. Codes once issued are never issued again (the code registry). The plan (feature, layer, old and new code, reason) is the output table; save it as CSV if needed. Unless this is a dry run, the codes are written into the grid layers, the registry is updated and the re-codings are recorded in the change log.</source>
        <translation>按网格工作空间中保存的编码规则编制网格编码：没有编码的网格（以及在要求时，编码不符合规则或重复的网格）按自西向东、自北向南的顺序，取其上级网格下的下一个可用顺序号。已发放的编码永不重复使用（见网格编码登记簿）。编码方案（要素、图层、原编码、新编码、原因）作为输出表，需要时可另存为 CSV。若不是试运行，编码将写入网格图层，同时更新编码登记簿，并在网格变动记录中登记重新编码。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="208"/>
        <source>Verify or rebuild the code registry</source>
        <translation>核查或重建网格编码登记簿</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="211"/>
        <source>Checks the workspace&apos;s code registry against the grids and the change log: a code a grid holds or the change log names must be recorded, a code no active grid holds must be retired, a retired code must not be in use again. By default only reports (nothing is written). With &apos;Rebuild&apos;, the missing entries are added and the wrong ones corrected in one transaction of the file; entries are never removed, so a code once issued is never issued again. A retired code in use again cannot be rebuilt away: give that grid a new code (Allocate codes).</source>
        <translation>核查工作空间的网格编码登记簿与网格和变动记录是否一致：网格使用的编码或变动记录中出现的编码必须已登记，已无在用网格使用的编码必须为停用，已停用的编码不得再次使用。默认只报告（不写入任何内容）。勾选“重建”后，缺失的条目将被补充、错误的条目将被更正，在文件的一个事务中完成；条目从不删除，编码一经发放永不重复发放。停用编码被再次使用的情况无法通过重建消除：请为该网格重新赋码（分配编码）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="303"/>
        <source>Export filing package</source>
        <translation>导出备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="306"/>
        <source>Writes the workspace as a filing package for the city: a GeoPackage in CGCS2000 (EPSG:4490 unless another exchange CRS is chosen) with the grid layers, the county boundary, the staff (personal phone numbers blanked unless included on purpose), optionally the households, the changes since the last filing, the findings of the latest audit and a metadata table (county, version, author, time, counts, audit summary). Export is refused while error findings of the latest audit are not accepted, unless an override reason is given; the reason is recorded in the package and in the workspace. The package is written to a temporary file, validated and then moved into place, so a failed export leaves a previous package intact.

Personal data: staff phone numbers are left out unless included, staff names are included unless left out; what is left out is removed from every table and message of the package (audit findings, remarks, reasons), not only from the staff table. The notice map and permits are where names and phones are printed.</source>
        <translation>将网格工作空间导出为向市级报送的备案数据包：一个采用 CGCS2000 坐标系（EPSG:4490，也可选择其他交换坐标系）的 GeoPackage，包含各级网格图层、县界、网格工作人员（除非特意选择包含，个人电话号码将被清空）、可选的住户、上次备案以来的变动、最近一次审核的问题，以及元数据表（县、版本、制作人、时间、数量统计、审核摘要）。若最近一次审核存在未接受的错误级问题，将拒绝导出，除非填写强制导出理由；该理由会记录在数据包和网格工作空间中。数据包先写入临时文件，校验通过后再移动到目标位置，因此导出失败不会破坏原有的数据包。

个人信息：除非选择包含，工作人员电话号码不会进入数据包；除非选择不包含，工作人员姓名会进入数据包。不包含的信息会从数据包的所有表格和说明文字中去除（审核问题、备注、理由等），而不仅仅是工作人员表。姓名和电话只在公示图和许可文件中印出。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="467"/>
        <source>Merge county packages</source>
        <translation>合并各县备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="470"/>
        <source>The city&apos;s intake: merges the filing packages of several counties (one package per county) into one city workspace in a metric CRS (the Gauss-Kruger zone of the packages&apos; centre unless one is chosen) and checks them together: grid codes used in more than one county, level 1 grids overlapping across a county border, gaps between counties along their borders, level 1 codes outside their county. The findings are the layer city_findings of the merged GeoPackage.</source>
        <translation>市级汇总：将多个县的备案数据包（每县一个）合并为一个采用米制坐标系（默认取数据包中心所在的高斯-克吕格投影带）的市级网格工作空间，并统一检查：多个县重复使用的网格编码、跨县界重叠的一级网格、县界沿线的县与县之间的空隙、不在本县范围内的一级网格编码。检查发现的问题保存在合并后 GeoPackage 的 city_findings 图层中。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="563"/>
        <source>Compares a filing package with the previous one: grids added, removed, retired, re-coded or reshaped, matched by code and then by geometry, with areas in m² computed in a metric CRS (the Gauss-Kruger zone of the packages unless one is chosen). Outputs a layer of the changed grids and a report with the counts (.html, .json or text, from the file name).</source>
        <translation>将备案数据包与上一版进行比较：先按编码、再按几何匹配，找出新增、删除、撤销、重新编码或调整边界的网格，并在米制坐标系（默认取数据包所在的高斯-克吕格投影带）下计算面积（平方米）。输出变动网格图层和包含统计数的报告（根据文件名输出 .html、.json 或文本格式）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="111"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="228"/>
        <location filename="../plugin/processing/filing_algorithms.py" line="344"/>
        <location filename="../plugin/processing/layout_algorithms.py" line="61"/>
        <source>Grid workspace</source>
        <translation>网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="112"/>
        <source>Dry run (only show the plan)</source>
        <translation>试运行（只显示编码方案）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="114"/>
        <source>Re-code codes that break the code rule</source>
        <translation>为不符合编码规则的编码重新编码</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="117"/>
        <source>Allocation plan</source>
        <translation>编码方案</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="119"/>
        <source>Grids given a code</source>
        <translation>获得编码的网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="120"/>
        <source>Grids that could not be coded</source>
        <translation>无法编码的网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="121"/>
        <source>Codes written</source>
        <translation>写入的编码</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="230"/>
        <source>Rebuild (write the missing and wrong entries)</source>
        <translation>重建（写入缺失和错误的条目）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="232"/>
        <source>Disagreements found</source>
        <translation>发现的不一致</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="233"/>
        <source>Disagreements left</source>
        <translation>剩余的不一致</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="234"/>
        <source>Registry entries added</source>
        <translation>新增登记条目</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="235"/>
        <source>Registry entries corrected</source>
        <translation>更正登记条目</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="346"/>
        <source>Exchange CRS</source>
        <translation>交换坐标系</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="348"/>
        <source>Include households</source>
        <translation>包含住户</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="349"/>
        <source>Include staff phone numbers</source>
        <translation>包含工作人员电话号码</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="350"/>
        <source>Include staff names</source>
        <translation>包含工作人员姓名</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="353"/>
        <source>Override reason (export despite unaccepted error findings)</source>
        <translation>强制导出理由（存在未接受的错误级问题时仍然导出）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="357"/>
        <source>Author (default: the QGIS user)</source>
        <translation>制作人（默认：QGIS 用户）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="360"/>
        <source>Version (default: the last version + 1)</source>
        <translation>版本（默认：上一版本 + 1）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="364"/>
        <source>Changes since (date, e.g. 2024-03-01; default: since the last filing)</source>
        <translation>变动起始日期（如 2024-03-01；默认：自上次备案起）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="367"/>
        <source>Include the whole change log</source>
        <translation>包含全部网格变动记录</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="369"/>
        <source>Filing package</source>
        <translation>备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="371"/>
        <source>Grids in the package</source>
        <translation>数据包中的网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="372"/>
        <source>Changes in the package</source>
        <translation>数据包中的变动</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="373"/>
        <source>Unaccepted error findings (overridden)</source>
        <translation>未接受的错误级问题（已强制导出）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="374"/>
        <source>Package version</source>
        <translation>数据包版本</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="442"/>
        <source>The workspace has not been audited; the package carries no audit findings.</source>
        <translation>网格工作空间尚未审核；备案数据包中不含审核问题。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="489"/>
        <source>County filing packages</source>
        <translation>各县备案数据包</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="494"/>
        <source>Metric CRS for the checks (default: Gauss-Kruger zone)</source>
        <translation>检查用米制坐标系（默认：高斯-克吕格投影带）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="499"/>
        <source>City workspace</source>
        <translation>市级网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="501"/>
        <source>City findings</source>
        <translation>市级检查问题</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="581"/>
        <source>Metric CRS for areas (default: Gauss-Kruger zone)</source>
        <translation>计算面积用米制坐标系（默认：高斯-克吕格投影带）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="586"/>
        <source>Geometry tolerance (m², symmetric difference)</source>
        <translation>几何容差（平方米，对称差）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="600"/>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="601"/>
        <source>HTML (*.html);;JSON (*.json);;Text (*.txt)</source>
        <translation>HTML (*.html);;JSON (*.json);;文本 (*.txt)</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="288"/>
        <source>The code registry agrees with the grids and the change log.</source>
        <translation>网格编码登记簿与网格和变动记录一致。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="444"/>
        <source>Wrote {path}: version {version}, {grids} grids, {changes} changes, in {crs} ({seconds:.1f} s).</source>
        <translation>已写入 {path}：版本 {version}，{grids} 个网格，{changes} 项变动，坐标系 {crs}（用时 {seconds:.1f} 秒）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="541"/>
        <source>Merged {n} counties ({counties}) into {path} in {crs}: {findings} findings, {errors} errors.</source>
        <translation>已将 {n} 个县（{counties}）合并到 {path}，坐标系 {crs}：问题 {findings} 个，其中错误 {errors} 个。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="176"/>
        <source>{layer} feature {fid} ({code}): {reason}</source>
        <translation>图层“{layer}”要素 {fid}（{code}）：{reason}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="189"/>
        <source>Wrote {n} codes; the registry gained {added} and changed {changed} entries.</source>
        <translation>已写入 {n} 个编码；编码登记簿新增 {added} 条、修改 {changed} 条。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="194"/>
        <source>{n} grids would get a code (dry run: nothing written).</source>
        <translation>{n} 个网格将获得编码（试运行：未写入任何内容）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="275"/>
        <source>The code registry gained {added} and corrected {changed} entries.</source>
        <translation>网格编码登记簿新增 {added} 条、更正 {changed} 条。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="437"/>
        <source>Exported despite {n} unaccepted error finding(s); the override reason is recorded.</source>
        <translation>尽管存在 {n} 个未接受的错误级问题，仍已导出；强制导出理由已记录。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="283"/>
        <source>{n} disagreements found; nothing was written (run again with Rebuild to repair).</source>
        <translation>发现 {n} 处不一致；未写入任何内容（勾选“重建”后再次运行即可修复）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="609"/>
        <source>Grids {kind}</source>
        <translation>网格（{kind}）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/filing_algorithms.py" line="406"/>
        <source>{value!r} is not a date (expected e.g. 2024-03-01).</source>
        <translation>{value!r} 不是日期（应为如 2024-03-01 的格式）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="93"/>
        <source>Counts households, persons and relocated or registered-but-absent households per level 3 grid and rolls the totals up to level 2 and level 1 (by parent code); the counts are written to the grids&apos; fields households, population and relocated_households in the workspace.

Sources: household points (one household per point), building points with a household count field, or a table without geometry joined by grid code or, when the code is blank, by villager group name (narrowed by a village field when names repeat). Points in another CRS are transformed to the workspace CRS.

Rules: a point belongs to the level 3 grid that contains it, boundary included. A point on the shared boundary of several grids (or in an overlap) goes to the grid with the lowest code (or, if chosen, the grid whose centre is nearest) and is reported. A point outside every active level 3 grid, or without geometry, is not counted and is reported. Retired grids take no households and keep their counts. Relocated and absent fields may be yes/no flags (the point&apos;s households) or counts; relocated households = relocated + absent, at most the point&apos;s households. Missing or invalid numbers count as 0 and are reported. A grid whose parent code is not found is not rolled up and is reported.

Points replace every active grid&apos;s counts, grids without households get 0. A table updates only the grids its rows name, unless &apos;replace all&apos; is chosen. Points in a layer without a CRS (GeoPackage srs_id 0) are refused unless their CRS is given.

Counts are never zeroed silently: a run that attaches nothing, or that would lower the workspace&apos;s household total by more than the allowed share, writes nothing and says why (outside every grid, no geometry, rows matching no grid), unless a full replacement is confirmed. The findings (outside, boundary, unmatched rows …) go to the optional findings layer and the log.</source>
        <translation>按三级网格统计户数、人数以及搬迁户和空挂户数，并按上级编码汇总到二级和一级网格；统计结果写入网格工作空间中各网格的 households、population 和 relocated_households 字段。

数据来源：住户点（每点一户）、带户数字段的楼栋点，或无几何的表格——按网格编码关联，编码为空时按村民小组名称关联（名称重复时可再用村字段区分）。其他坐标系的点会转换到网格工作空间坐标系。

规则：点归属于包含它的三级网格（含边界）。位于多个网格共同边界上（或重叠区内）的点归入编码最小的网格（也可选择中心最近的网格），并予以报告。位于所有有效三级网格之外或没有几何的点不计入，并予以报告。已撤销的网格不再接收住户，保留原有统计数。搬迁和空挂字段可以是“是/否”标志（表示该点的全部户数）或户数；搬迁户数 = 搬迁 + 空挂，且不超过该点的户数。缺失或无效的数值按 0 计，并予以报告。找不到上级编码的网格不参与汇总，并予以报告。

住户点会替换所有有效网格的统计数，没有住户的网格记为 0。表格只更新其中列出的网格，除非选择“全部替换”。没有坐标系的图层（GeoPackage srs_id 0）中的点会被拒绝，除非指定其坐标系。

统计数绝不会被悄悄清零：如果一次运行没有关联任何住户，或会使网格工作空间的总户数下降超过允许的比例，则不写入任何数据并说明原因（在所有网格之外、没有几何、记录无法对应网格），除非确认全部替换。发现的问题（网格外、边界上、未匹配的记录等）输出到可选的问题图层和日志。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="153"/>
        <source>Household points, building points or household table</source>
        <translation>住户点、楼栋点或住户表</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="170"/>
        <source>Household count field (blank: one household per point or row)</source>
        <translation>户数字段（留空：每点或每行一户）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="171"/>
        <source>Persons field (blank: &apos;persons&apos; if present)</source>
        <translation>人数字段（留空：如有则使用“persons”）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="172"/>
        <source>Relocated households field, flag or count (blank: &apos;relocated&apos; if present)</source>
        <translation>搬迁户字段，标志或户数（留空：如有则使用“relocated”）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="173"/>
        <source>Registered-but-absent field, flag or count (blank: &apos;absent&apos; if present)</source>
        <translation>空挂户字段，标志或户数（留空：如有则使用“absent”）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="174"/>
        <source>Table: grid code field (blank: &apos;grid_code&apos; if present)</source>
        <translation>表格：网格编码字段（留空：如有则使用“grid_code”）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="175"/>
        <source>Table: villager group name field</source>
        <translation>表格：村民小组名称字段</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="176"/>
        <source>Table: village or community field (code or name)</source>
        <translation>表格：村（社区）字段（编码或名称）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="182"/>
        <source>A point on a shared boundary goes to</source>
        <translation>共同边界上的点归入</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="189"/>
        <source>CRS of the points when their layer has none</source>
        <translation>图层无坐标系时点所用的坐标系</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="194"/>
        <source>Table: replace all grids&apos; counts (grids the table does not name get 0)</source>
        <translation>表格：替换所有网格的统计数（表中未列出的网格记为 0）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="200"/>
        <source>Refuse when the household total would drop by more than (%)</source>
        <translation>总户数下降超过此比例时拒绝写入（%）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="209"/>
        <source>Confirm a full replacement even if it lowers or zeroes the counts</source>
        <translation>确认全部替换（即使统计数降低或归零）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="212"/>
        <source>Write the counts into the workspace</source>
        <translation>将统计数写入网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="216"/>
        <source>Findings (outside, boundary, unmatched)</source>
        <translation>问题（网格外、边界上、未匹配）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="223"/>
        <source>Points or rows attached</source>
        <translation>已挂接的点或记录</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="224"/>
        <source>Points outside every grid</source>
        <translation>位于所有网格之外的点</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="225"/>
        <source>Points on a shared boundary</source>
        <translation>位于共同边界上的点</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="226"/>
        <source>Points without geometry</source>
        <translation>没有几何的点</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="227"/>
        <source>Table rows matching no grid</source>
        <translation>未匹配到网格的表格记录</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="228"/>
        <source>Households in level 3 grids</source>
        <translation>三级网格内的户数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="229"/>
        <source>Persons in level 3 grids</source>
        <translation>三级网格内的人数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="230"/>
        <source>Relocated or absent households in level 3 grids</source>
        <translation>三级网格内的搬迁户及空挂户数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="231"/>
        <source>Grids whose counts changed</source>
        <translation>统计数有变化的网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="344"/>
        <source>Nothing was written (the write option is off).</source>
        <translation>未写入任何内容（未勾选写入选项）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="183"/>
        <source>the grid with the lowest code</source>
        <translation>编码最小的网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="183"/>
        <source>the grid whose centre is nearest</source>
        <translation>中心最近的网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="284"/>
        <source>Reading {layer}…</source>
        <translation>正在读取“{layer}”…</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="340"/>
        <source>Counts written to {path}.</source>
        <translation>统计数已写入 {path}。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/household_algorithms.py" line="283"/>
        <source>Field for the {what}: {field}</source>
        <translation>{what}字段：{field}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="28"/>
        <source>Drawing and import</source>
        <translation>绘制与导入</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="29"/>
        <source>Imports polygons from any vector source (Shapefile, GeoPackage, GeoJSON…, in any CRS) into one grid level of a workspace: the chosen fields give each grid its code, name and parent code; geometries are reprojected into the workspace CRS. Much Chinese boundary data comes from web maps in GCJ-02 coordinates, some hundreds of metres off: tick the GCJ-02 option to correct them to WGS84 first. Features without a polygon, or whose code is already used in the level, are skipped and listed in the log. The features are written to the file: save or discard edits of that layer in QGIS first.</source>
        <translation>将任意矢量数据源（Shapefile、GeoPackage、GeoJSON 等，任意坐标系）中的面导入到网格工作空间的某一层级：所选字段分别提供每个网格的编码、名称和上级编码；几何会重投影到网格工作空间坐标系。国内不少边界数据来自采用 GCJ-02 坐标的网络地图，偏移可达数百米：请勾选 GCJ-02 选项，先将其纠正为 WGS84。没有面几何的要素，或编码在该层级中已被使用的要素，将被跳过并在日志中列出。要素会直接写入文件：请先在 QGIS 中保存或放弃该图层的编辑。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="53"/>
        <source>Boundaries to import</source>
        <translation>要导入的边界</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="54"/>
        <location filename="../plugin/processing/pg_algorithms.py" line="76"/>
        <location filename="../plugin/processing/pg_algorithms.py" line="123"/>
        <location filename="../plugin/processing/workspace_algorithms.py" line="64"/>
        <location filename="../plugin/processing/workspace_algorithms.py" line="131"/>
        <source>Workspace GeoPackage</source>
        <translation>网格工作空间 GeoPackage</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="58"/>
        <source>Grid level</source>
        <translation>网格层级</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="69"/>
        <source>Code field</source>
        <translation>编码字段</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="73"/>
        <source>Name field</source>
        <translation>名称字段</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="78"/>
        <source>Parent code field</source>
        <translation>上级编码字段</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="82"/>
        <source>Correct GCJ-02 (web map) coordinates to WGS84</source>
        <translation>将 GCJ-02（网络地图）坐标纠正为 WGS84</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="84"/>
        <source>Grids imported</source>
        <translation>导入的网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="85"/>
        <source>Features skipped</source>
        <translation>跳过的要素</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="92"/>
        <source>The boundaries to import could not be read.</source>
        <translation>无法读取要导入的边界。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="123"/>
        <source>Imported {added} grids into {layer} of {path}.</source>
        <translation>已导入 {added} 个网格到 {path} 的图层“{layer}”。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="60"/>
        <source>Level 1 (village/community)</source>
        <translation>一级网格（村/社区）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="61"/>
        <source>Level 2 (section)</source>
        <translation>二级网格（片区）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="62"/>
        <source>Level 3 (group/street/building)</source>
        <translation>三级网格（村民小组/街巷/楼栋）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/import_algorithms.py" line="111"/>
        <source>input</source>
        <translation>输入数据</translation>
    </message>
    <message>
        <location filename="../plugin/processing/install_algorithm.py" line="24"/>
        <source>Install shapely for Community Grids</source>
        <translation>为社区网格安装 shapely</translation>
    </message>
    <message>
        <location filename="../plugin/processing/install_algorithm.py" line="26"/>
        <source>Set-up</source>
        <translation>安装与设置</translation>
    </message>
    <message>
        <location filename="../plugin/processing/install_algorithm.py" line="27"/>
        <source>Installs shapely ≥ 2.0 into a private folder of this QGIS profile, for the Python this QGIS runs, from a wheel file (WHEEL), from an intranet plugin repository written by the plugin&apos;s `make package` (REPOSITORY: the URL of its plugins.xml), or with pip from the package index pip is set up for (neither given). numpy and every other package of QGIS&apos;s Python stay as they are. Restart QGIS (or reload the plugin) afterwards.</source>
        <translation>将 shapely ≥ 2.0 安装到此 QGIS 配置文件的私有文件夹，适用于此 QGIS 运行的 Python；来源可以是 wheel 文件（WHEEL）、由插件 `make package` 生成的内网插件仓库（REPOSITORY：其 plugins.xml 的地址），或在两者都未给出时用 pip 从其配置的软件包索引下载。numpy 及 QGIS 的 Python 中的其他包均保持不变。安装后请重启 QGIS（或重新加载插件）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/install_algorithm.py" line="40"/>
        <source>shapely wheel file</source>
        <translation>shapely 的 wheel 文件</translation>
    </message>
    <message>
        <location filename="../plugin/processing/install_algorithm.py" line="42"/>
        <source>Plugin repository URL</source>
        <translation>插件仓库地址</translation>
    </message>
    <message>
        <location filename="../plugin/processing/install_algorithm.py" line="43"/>
        <source>Installed into</source>
        <translation>安装位置</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="44"/>
        <source>Publication</source>
        <translation>公示与证件</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="166"/>
        <source>Public notice map</source>
        <translation>网格划分公示图</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="167"/>
        <source>Makes the public notice map of a township or village (网格划分公示图, §7.6 of the standard) as a PDF: the grids with their codes and names on a map, a table of every grid&apos;s head with phone, supervision phone and duties, the title, the issuing unit and the date. Grids without a head are listed as vacant. A long table continues on further pages. An offline raster can be put under the grids as a basemap.</source>
        <translation>生成乡镇（街道）或村（社区）的网格划分公示图（规范 §7.6）PDF：地图上标注各网格的编码和名称，附各网格网格长的联系电话、监督电话和工作职责一览表，以及标题、发布单位和公示日期。尚未配备网格长的网格标注为“待配备”。表格较长时自动续页。可在网格下方叠加离线栅格作为底图。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="225"/>
        <source>Work permits</source>
        <translation>网格长工作证</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="226"/>
        <source>Makes the work permits (工作证, §11.4 of the standard) of every grid head of a township or village as a PDF to print and cut: eight cards per A4 page, each with the name, photo (or a place for it), position, grid, grid code, phone, supervision phone, duties, the issuing unit and the place of its seal. Photos are read from the staff table&apos;s photo field (a path, absolute or relative to the workspace).</source>
        <translation>生成乡镇（街道）或村（社区）全部网格长的工作证（规范 §11.4）PDF，供打印裁切：每张 A4 纸排 8 张，每张工作证包括姓名、照片（或照片位置）、职务、所在网格、网格编码、联系电话、监督电话、工作职责、发证单位及盖章位置。照片取自网格工作人员表的照片字段（绝对路径，或相对于网格工作空间所在文件夹的路径）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="149"/>
        <source>Give the code or the name of a township or village.</source>
        <translation>请填写乡镇（街道）或村（社区）的代码或名称。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="158"/>
        <source>{value} is not a township or village of this workspace: give a 9-digit township code, a 12-digit village code or a name.</source>
        <translation>“{value}”不是本网格工作空间中的乡镇（街道）或村（社区）：请填写 9 位乡镇代码、12 位村级代码或名称。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="187"/>
        <source>Public notice map (PDF)</source>
        <translation>网格划分公示图（PDF）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="235"/>
        <source>Work permits (PDF)</source>
        <translation>网格长工作证（PDF）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="64"/>
        <source>Township or village: code (9 or 12 digits) or name, e.g. 610902100 or 关庙镇</source>
        <translation>乡镇（街道）或村（社区）：代码（9 位或 12 位）或名称，如 610902100 或 关庙镇</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="70"/>
        <source>Grid levels</source>
        <translation>网格层级</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="84"/>
        <source>Issuing unit (default: the township&apos;s government or office)</source>
        <translation>发布/发证单位（默认：乡镇人民政府或街道办事处）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="88"/>
        <source>Date (default: today)</source>
        <translation>日期（默认：今天）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="93"/>
        <source>Language of the printed document</source>
        <translation>打印文档的语言</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="101"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="103"/>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="105"/>
        <source>Grid heads</source>
        <translation>网格长人数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="151"/>
        <source>{value} is the whole county; notices and permits are made per township or village.</source>
        <translation>“{value}”是整个县；公示图和工作证按乡镇（街道）或村（社区）制作。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="155"/>
        <source>{value} names several places ({codes}); give the code instead.</source>
        <translation>“{value}”对应多个地方（{codes}）；请改填代码。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="181"/>
        <source>Paper size</source>
        <translation>纸张大小</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="185"/>
        <source>Basemap (an offline raster, optional)</source>
        <translation>底图（离线栅格，可选）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="122"/>
        <source>{county} {township}: {name} ({code})</source>
        <translation>{county} {township}：{name}（{code}）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="216"/>
        <source>Public notice map of {name}: {pages} pages, {grids} grids, {heads} grid heads → {path}</source>
        <translation>{name}网格划分公示图：{pages} 页，{grids} 个网格，{heads} 名网格长 → {path}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="259"/>
        <source>Work permits of {name}: {heads} cards on {pages} pages → {path}</source>
        <translation>{name}网格长工作证：{heads} 张，共 {pages} 页 → {path}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="72"/>
        <source>Level 1 (villages and communities)</source>
        <translation>一级网格（村/社区）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="73"/>
        <source>Level 2 (sections)</source>
        <translation>二级网格（片区）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="74"/>
        <source>Level 3</source>
        <translation>三级网格</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="94"/>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="94"/>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="140"/>
        <source>{value} is not a date (use YYYY-MM-DD).</source>
        <translation>“{value}”不是日期（请使用 YYYY-MM-DD 格式）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="181"/>
        <source>A3 landscape</source>
        <translation>A3 横向</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="181"/>
        <source>A4 landscape</source>
        <translation>A4 横向</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="203"/>
        <source>There are no active grids in {name} ({code}).</source>
        <translation>{name}（{code}）中没有有效的网格。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="208"/>
        <source>{count} grids have no grid head yet; the notice lists them as vacant.</source>
        <translation>{count} 个网格尚未配备网格长；公示图中标注为“待配备”。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="249"/>
        <source>No grid head of {name} ({code}) is in the staff table.</source>
        <translation>网格工作人员表中没有{name}（{code}）的网格长。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/layout_algorithms.py" line="257"/>
        <source>Photo {path} not found; the permit has an empty photo box.</source>
        <translation>未找到照片 {path}；该工作证的照片位置留空。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="62"/>
        <source>Copy workspace to PostGIS</source>
        <translation>复制工作空间到 PostGIS</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="63"/>
        <source>Copies a workspace GeoPackage into a new schema of a PostgreSQL/PostGIS database (one transaction: all or nothing), with the same layers, fields, aliases and styles, and the rules the database keeps for a shared workspace: change log triggers, grid versions, the code registry. Connection: the name of a QGIS PostgreSQL connection or libpq settings (host=... port=... dbname=... user=...).</source>
        <translation>将工作空间 GeoPackage 复制到 PostgreSQL/PostGIS 数据库的新模式中（一个事务：要么全部完成，要么不作改动），图层、字段、别名和样式与 GeoPackage 相同，并由数据库维护共享工作空间的规则：变动记录触发器、网格版本、编码登记簿。连接：QGIS 中 PostgreSQL 连接的名称，或 libpq 参数（host=... port=... dbname=... user=...）。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="104"/>
        <source>Copy workspace from PostGIS</source>
        <translation>从 PostGIS 复制工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="105"/>
        <source>Writes the workspace of a PostgreSQL/PostGIS schema to a workspace GeoPackage (a consistent snapshot, moved into place when complete), e.g. to export a filing package or to work offline. Columns your database role may not read (staff phones for a township role) stay empty.</source>
        <translation>将 PostgreSQL/PostGIS 模式中的工作空间写入工作空间 GeoPackage（一致的快照，写完后才替换到位），例如用于导出备案数据包或离线工作。您的数据库角色无权读取的列（乡镇角色读取的人员联系电话）保持为空。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="27"/>
        <source>Give a PostgreSQL connection.</source>
        <translation>请指定 PostgreSQL 连接。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="77"/>
        <location filename="../plugin/processing/pg_algorithms.py" line="116"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="62"/>
        <source>PostgreSQL connection</source>
        <translation>PostgreSQL 连接</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="78"/>
        <location filename="../plugin/processing/pg_algorithms.py" line="117"/>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="63"/>
        <source>Database schema</source>
        <translation>数据库模式</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="80"/>
        <source>Replace the schema if it exists</source>
        <translation>模式已存在时替换</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="83"/>
        <source>Store the layer styles in the database</source>
        <translation>将图层样式保存到数据库</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="119"/>
        <source>Replace the file if it exists</source>
        <translation>文件已存在时替换</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="98"/>
        <source>{rows} rows copied into schema {schema}.</source>
        <translation>已向模式 {schema} 复制 {rows} 行。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_algorithms.py" line="55"/>
        <source>{name} is not a schema name: use lower-case letters, digits and underscores.</source>
        <translation>{name} 不是有效的模式名称：请使用小写字母、数字和下划线。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="92"/>
        <source>Add change requests to a PostGIS workspace</source>
        <translation>为 PostGIS 工作空间启用网格变更申请</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="95"/>
        <source>Adds the change-request tables and the rules the database keeps for them to a shared PostGIS workspace: a township role proposes changes of its own township&apos;s grids only, only the county role approves or rejects. Run it as the schema&apos;s owner after the roles were set up; the county and township roles are read from the workspace.</source>
        <translation>为共享的 PostGIS 工作空间添加变更申请表及数据库维护的规则：乡镇/街道角色只能申请变更本乡镇/街道的网格，只有县级角色可以批准或驳回。请在设置好角色之后以该模式（schema）的所有者身份运行；县级和乡镇/街道角色从工作空间中读取。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="141"/>
        <source>Propose a change set on PostGIS (township)</source>
        <translation>在 PostGIS 上提交网格变更申请（乡镇/街道）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="144"/>
        <source>A township&apos;s written application for a change of its grids (§7.6) in a shared PostGIS workspace: compares its edited copy (a workspace GeoPackage, e.g. from &apos;Copy workspace from PostGIS&apos;) with the workspace&apos;s grids and keeps the change set in the database as a proposal of the connected (township) role. No grid changes until the county approves. Only the township&apos;s own grids may change; the database refuses the rest. Give the copy as it was received to compare with it instead of the grids as they are now.</source>
        <translation>乡镇/街道在共享的 PostGIS 工作空间中对其网格变更的书面申请（§7.6）：将其编辑后的副本（工作空间 GeoPackage，例如由“从 PostGIS 复制工作空间”得到）与工作空间中的网格比较，并将变更集作为当前连接（乡镇/街道）角色的申请保存在数据库中。县级批准之前网格不会改变。只能变更本乡镇/街道的网格，其余的由数据库拒绝。如提供收到时的副本，则与该副本比较，而不是与网格的当前状态比较。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="214"/>
        <source>Approve a change set on PostGIS (county)</source>
        <translation>在 PostGIS 上批准网格变更申请（县级）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="217"/>
        <source>The county role approves a proposed change request of a shared PostGIS workspace with the approval reference (批复文号): in one transaction the grids change and the change log records every change with the reference (the 7-day filing clock of §7.5 starts now). A request whose grids were changed since it was proposed is refused, nothing changed. Only the county role may approve.</source>
        <translation>县级角色以批复文号批准共享 PostGIS 工作空间中待审批的变更申请：在同一事务中修改网格，变更日志记录每一项变更及批复文号（§7.5 的 7 日备案期限自此开始）。申请提交后其网格又被修改的，予以拒绝，不作任何修改。只有县级角色可以批准。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="254"/>
        <source>Reject a change set on PostGIS (county)</source>
        <translation>在 PostGIS 上驳回网格变更申请（县级）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="257"/>
        <source>The county role rejects a proposed change request of a shared PostGIS workspace with a reason; no grid changes. Only the county role may reject.</source>
        <translation>县级角色说明理由驳回共享 PostGIS 工作空间中待审批的变更申请；网格不作任何修改。只有县级角色可以驳回。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="289"/>
        <source>List change sets on PostGIS</source>
        <translation>列出 PostGIS 上的网格变更申请</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="292"/>
        <source>Lists the change requests of a shared PostGIS workspace (newest first), all or those of one status, into a table and the log: id, township, status, who proposed it and when, the approval reference, who decided and when. A township role sees its own township&apos;s requests.</source>
        <translation>将共享 PostGIS 工作空间的变更申请（最新的在前；全部或某一状态的）列入表格和日志：编号、乡镇/街道、状态、申请人及申请时间、批复文号、审批人及审批时间。乡镇/街道角色只能看到本乡镇/街道的申请。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="176"/>
        <source>Workspace as received (optional)</source>
        <translation>收到时的工作空间（可选）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="132"/>
        <source>Change requests added to workspace {schema} (county {county}).</source>
        <translation>已为工作空间 {schema}（县 {county}）启用变更申请。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="307"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="307"/>
        <source>Proposed</source>
        <translation>待审批</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="307"/>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="307"/>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="343"/>
        <source>{id}: township {township}, {status}, proposed by {user} at {at}{ref}</source>
        <translation>{id}：乡镇/街道 {township}，{status}，由 {user} 于 {at} 提交{ref}</translation>
    </message>
    <message>
        <location filename="../plugin/processing/pg_changeset_algorithms.py" line="123"/>
        <source>Workspace {schema} has no county and township roles yet: set up the roles first.</source>
        <translation>工作空间 {schema} 尚无县级和乡镇/街道角色：请先设置角色。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/provider.py" line="81"/>
        <source>Community Grids — grids of grassroots social governance</source>
        <translation>社区网格 — 基层社会治理网格化服务管理</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="53"/>
        <source>Imports a staff register (网格工作人员名单) from a CSV file (UTF-8 or GB18030) or an Excel workbook (.xlsx) into the workspace&apos;s staff table. Headers may be Chinese or English (姓名/name, 岗位/role, 网格编码/grid code, 联系电话/phone, 监督电话, 工作职责, 职务, 单位安全负责人, 照片) and may sit below title rows.

Each row is checked: a row without a name, with an unknown role, an invalid phone or supervision phone, a missing grid code, a code that no grid of the workspace has, a retired grid or an unreadable value is rejected and reported with its row number, name and grid code; a row without a phone is imported with a note; a row repeating a person already in the register (same name, grid and role) is skipped. The valid rows are written in one transaction.

Append adds the rows to the register; Replace deletes the register&apos;s rows first (refused when no row is valid). The optional report table lists every rejected, skipped or noted row.</source>
        <translation>从 CSV 文件（UTF-8 或 GB18030 编码）或 Excel 工作簿（.xlsx）将网格工作人员名单导入网格工作空间的工作人员表。表头可以是中文或英文（姓名/name、岗位/role、网格编码/grid code、联系电话/phone、监督电话、工作职责、职务、单位安全负责人、照片），表头上方可以有标题行。

逐行检查：缺少姓名、岗位无法识别、联系电话或监督电话无效、缺少网格编码、编码在网格工作空间中不存在、网格已撤销或取值无法识别的记录将被拒绝，并报告其行号、姓名和网格编码；没有联系电话的记录照常导入并附注说明；与名单中已有人员重复（姓名、网格和岗位均相同）的记录将被跳过。有效记录在一个事务中写入。

“追加”将记录添加到名单中；“替换”先删除名单中的原有记录（没有有效记录时拒绝替换）。可选的导入报告表列出所有被拒绝、跳过或附注的记录。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="78"/>
        <source>Staff register (CSV or XLSX)</source>
        <translation>网格工作人员名单（CSV 或 XLSX）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="96"/>
        <source>Worksheet (XLSX, optional)</source>
        <translation>工作表（XLSX，可选）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="100"/>
        <source>Import report</source>
        <translation>导入报告</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="106"/>
        <source>Rows written</source>
        <translation>写入的记录数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="107"/>
        <source>Rows rejected</source>
        <translation>拒绝的记录数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="108"/>
        <source>Rows skipped as duplicates</source>
        <translation>因重复而跳过的记录数</translation>
    </message>
    <message>
        <location filename="../plugin/processing/staff_algorithms.py" line="178"/>
        <source>{written} staff rows written to {path} ({mode}); {rejected} rejected, {skipped} skipped.</source>
        <translation>已将 {written} 条工作人员记录写入 {path}（{mode}）；拒绝 {rejected} 条，跳过 {skipped} 条。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="25"/>
        <source>Create grid workspace</source>
        <translation>新建网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="26"/>
        <source>Creates an empty grid workspace (one GeoPackage per county) with the layers of the schema: level 1, 2, 3 and dedicated grids, households, staff, change log and audit findings. For a county of Ankang the county boundary and the statistical village codes are filled in. The CRS is the CGCS2000 3-degree Gauss-Kruger zone (with zone prefix) of the county&apos;s longitude unless another is given.</source>
        <translation>新建一个空的网格工作空间（每县一个 GeoPackage），包含数据结构规定的全部图层：一级、二级、三级和专属网格，住户，网格工作人员，网格变动记录和审核问题。安康市所辖县区会自动填入县界和统计用村级区划代码。坐标系默认采用该县经度所在的 CGCS2000 3 度带高斯-克吕格投影（带号前缀），也可另行指定。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="111"/>
        <source>Build Hanbin sample workspace</source>
        <translation>生成汉滨区示例网格工作空间</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="112"/>
        <source>Builds the embedded sample: a workspace for the real villages and communities of Hanbin district (汉滨区, Ankang) with level 1, 2 and 3 grids, dedicated grids, households and staff, including a handful of deliberate defects for the audit to find. Deterministic for a given seed.</source>
        <translation>生成内置示例：基于安康市汉滨区真实村（社区）的网格工作空间，包含一级、二级、三级网格，专属网格，住户和网格工作人员，并有意设置了若干供审核发现的缺陷。相同的随机种子生成相同的结果。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="45"/>
        <source>County (Ankang)</source>
        <translation>县（区）（安康市）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="53"/>
        <source>Other county: 6-digit code (overrides the list)</source>
        <translation>其他县：6 位代码（优先于列表）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="56"/>
        <source>Other county: name</source>
        <translation>其他县：名称</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="59"/>
        <source>Workspace CRS (default: the county&apos;s Gauss-Kruger zone)</source>
        <translation>网格工作空间坐标系（默认：该县所在的高斯-克吕格投影带）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="126"/>
        <source>Random seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="102"/>
        <source>Created workspace {path} for {name} ({code}) in {crs}.</source>
        <translation>已为{name}（{code}）新建网格工作空间 {path}，坐标系 {crs}。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="138"/>
        <source>Building the Hanbin sample (seed {seed})…</source>
        <translation>正在生成汉滨区示例（随机种子 {seed}）…</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="152"/>
        <source>Planted defect: {kind} in {layer} ({codes})</source>
        <translation>设置的缺陷：{layer} 中的 {kind}（{codes}）</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="73"/>
        <source>The county code must have 6 digits, not {code!r}.</source>
        <translation>县级代码必须是 6 位数字，而不是 {code!r}。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="77"/>
        <source>Give the name of county {code}.</source>
        <translation>请填写县级代码 {code} 对应的名称。</translation>
    </message>
    <message>
        <location filename="../plugin/processing/workspace_algorithms.py" line="88"/>
        <source>County {code} is not in the shipped reference data: choose the workspace CRS.</source>
        <translation>县级代码 {code} 不在内置参考数据中：请选择网格工作空间坐标系。</translation>
    </message>
    <message>
        <source>On a shared workspace: copy it from PostGIS into a GeoPackage first.</source>
        <translation type="vanished">共享工作空间：请先从 PostGIS 复制为 GeoPackage。</translation>
    </message>
    <message>
        <source>grid workspace</source>
        <translation type="vanished">网格工作空间</translation>
    </message>
    <message>
        <source>Choose the grid that lives on: it keeps its code, name and staff. The codes of the others are retired when the edits are saved.</source>
        <translation type="vanished">请选择保留的网格：它保留自己的编码、名称和工作人员。其他网格的编码在保存编辑时撤销。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="vanished">名称</translation>
    </message>
    <message>
        <source>Area (m²)</source>
        <translation type="vanished">面积（平方米）</translation>
    </message>
    <message>
        <source>Fill all gaps of the active parent</source>
        <translation type="vanished">填补当前上级网格内的所有空隙</translation>
    </message>
    <message>
        <source>Fill all gaps</source>
        <translation type="vanished">填补全部缺口</translation>
    </message>
    <message>
        <source>Basemap</source>
        <translation type="vanished">底图</translation>
    </message>
    <message>
        <source>Add a basemap</source>
        <translation type="vanished">添加底图</translation>
    </message>
    <message>
        <source>Tianditu vector map with labels</source>
        <translation type="vanished">天地图矢量底图（含注记）</translation>
    </message>
    <message>
        <source>Tianditu imagery with labels</source>
        <translation type="vanished">天地图影像底图（含注记）</translation>
    </message>
    <message>
        <source>Local tiles or raster (offline)…</source>
        <translation type="vanished">本地瓦片或栅格（离线）…</translation>
    </message>
    <message>
        <source>Tianditu key…</source>
        <translation type="vanished">天地图密钥…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation type="vanished">导入</translation>
    </message>
    <message>
        <source>Work inside the selected grid</source>
        <translation type="vanished">在所选网格内工作</translation>
    </message>
    <message>
        <source>Give gaps to the neighbour with the longest shared boundary</source>
        <translation type="vanished">将空隙划给共同边界最长的相邻网格</translation>
    </message>
    <message>
        <source>Search by code or name</source>
        <translation type="vanished">按编码或名称搜索</translation>
    </message>
    <message>
        <source>Live check</source>
        <translation type="vanished">实时检查</translation>
    </message>
    <message>
        <source>After each edit, check the edited grids, their neighbours and parent (overlap, gap, outside, size)</source>
        <translation type="vanished">每次编辑后检查所编辑的网格、相邻网格和上级网格（重叠、缺口、越界、规模）</translation>
    </message>
    <message>
        <source>Digitise a grid of the active level inside the active parent</source>
        <translation type="vanished">在当前上级网格内绘制当前层级的网格</translation>
    </message>
    <message>
        <source>Draw lines (Shift + right click for another) or a ring across a grid</source>
        <translation type="vanished">在网格上绘制切分线（Shift + 右键开始下一条）或闭合环</translation>
    </message>
    <message>
        <source>Click adjacent grids, then right click to merge them</source>
        <translation type="vanished">依次点击相邻网格，然后右键合并</translation>
    </message>
    <message>
        <source>Click inside a gap of the active parent</source>
        <translation type="vanished">在当前上级网格内的空隙中点击</translation>
    </message>
    <message>
        <source>Draw the new course of a boundary between neighbours</source>
        <translation type="vanished">绘制相邻网格之间边界的新走向</translation>
    </message>
    <message>
        <source>Draw a dedicated grid (school, factory…) inside a village</source>
        <translation type="vanished">在村（社区）内绘制专属网格（学校、厂区等）</translation>
    </message>
    <message>
        <source>Replace all grids&apos; counts (grids the table does not name get 0)</source>
        <translation type="vanished">替换全部网格的户数（表中未列出的网格记为 0）</translation>
    </message>
    <message>
        <source>CRS of the points (the layer has none)</source>
        <translation type="vanished">点的坐标参照系（该图层没有）</translation>
    </message>
    <message>
        <source>Boundaries traced from Amap, Tencent or other Chinese web maps are in GCJ-02, some hundreds of metres off.</source>
        <translation type="vanished">从高德、腾讯等国内网络地图描绘的边界采用 GCJ-02 坐标，偏移可达数百米。</translation>
    </message>
    <message>
        <source>…or file</source>
        <translation type="vanished">…或选择文件</translation>
    </message>
    <message>
        <source>Into level</source>
        <translation type="vanished">导入到层级</translation>
    </message>
    <message>
        <source>The grids are added to the workspace layer as one edit that you can undo; save the layer to keep them.</source>
        <translation type="vanished">网格将作为一次可撤销的编辑添加到网格工作空间图层；保存图层后生效。</translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="vanished">详细信息</translation>
    </message>
    <message>
        <source>Allocate grid codes: preview</source>
        <translation type="vanished">分配网格编码：预览</translation>
    </message>
    <message>
        <source>Applying writes the codes into the layers&apos; edit buffers: save the layers to keep them, or undo.</source>
        <translation type="vanished">应用后，编码将写入图层的编辑缓存：保存图层即可生效，也可以撤销。</translation>
    </message>
    <message>
        <source>Re-code grids whose code does not follow the code rule</source>
        <translation type="vanished">为编码不符合编码规则的网格重新编码</translation>
    </message>
    <message>
        <source>Accept finding as an exception</source>
        <translation type="vanished">将问题接受为例外</translation>
    </message>
    <message>
        <source>The finding stays accepted in later audits while its geometry is unchanged; any edit of it lapses.</source>
        <translation type="vanished">只要该问题的几何不变，后续审核中会一直保持“已接受”；相关网格一经编辑即失效。</translation>
    </message>
    <message>
        <source>e.g. a river between the villages, not to be gridded</source>
        <translation type="vanished">例如：两村之间的河流，不划入网格</translation>
    </message>
    <message>
        <source>Accepted by</source>
        <translation type="vanished">接受人</translation>
    </message>
    <message>
        <source>Run audit</source>
        <translation type="vanished">开始审核</translation>
    </message>
    <message>
        <source>Check the workspace: topology, nesting, coverage, codes, size and staffing</source>
        <translation type="vanished">检查网格工作空间：拓扑、层级嵌套、覆盖范围、编码、规模和人员配备</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="vanished">取消</translation>
    </message>
    <message>
        <source>The code rule the audit checks the codes with, e.g. village12+3+3; empty: the workspace&apos;s rule</source>
        <translation type="vanished">审核网格编码所用的编码规则，例如 village12+3+3；留空则使用网格工作空间的编码规则</translation>
    </message>
    <message>
        <source>Filter: code, rule or text</source>
        <translation type="vanished">筛选：编码、规则或文字</translation>
    </message>
    <message>
        <source>All severities</source>
        <translation type="vanished">全部严重程度</translation>
    </message>
    <message>
        <source>Show accepted</source>
        <translation type="vanished">显示已接受的问题</translation>
    </message>
    <message>
        <source>Accept…</source>
        <translation type="vanished">接受…</translation>
    </message>
    <message>
        <source>Accept the selected finding as an exception, with a reason</source>
        <translation type="vanished">将所选问题接受为例外，并填写理由</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation type="vanished">撤销接受</translation>
    </message>
    <message>
        <source>Withdraw the acceptance of the selected finding</source>
        <translation type="vanished">撤销对所选问题的接受</translation>
    </message>
    <message>
        <source>Save acceptances</source>
        <translation type="vanished">保存接受结果</translation>
    </message>
    <message>
        <source>Gap → neighbour</source>
        <translation type="vanished">空隙 → 相邻网格</translation>
    </message>
    <message>
        <source>Give the gap to the grid of the same parent with the longest shared boundary</source>
        <translation type="vanished">将空隙划给同一上级下共同边界最长的网格</translation>
    </message>
    <message>
        <source>Gap → new grid</source>
        <translation type="vanished">空隙 → 新网格</translation>
    </message>
    <message>
        <source>Make the gap a grid of its own</source>
        <translation type="vanished">将空隙单独设为一个网格</translation>
    </message>
    <message>
        <source>Resolve overlap</source>
        <translation type="vanished">处理重叠</translation>
    </message>
    <message>
        <source>Remove each overlap piece from the grid it belongs to less (the shorter shared boundary)</source>
        <translation type="vanished">将每块重叠部分从与其关系较弱（共同边界较短）的网格中移除</translation>
    </message>
    <message>
        <source>Export JSON…</source>
        <translation type="vanished">导出 JSON…</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation type="vanished">导出 HTML…</translation>
    </message>
    <message>
        <source>Code rule</source>
        <translation type="vanished">编码规则</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation type="vanished">问题</translation>
    </message>
    <message>
        <source>Count / measure</source>
        <translation type="vanished">数量/量值</translation>
    </message>
    <message>
        <source>Show filed changes</source>
        <translation type="vanished">显示已备案的变动</translation>
    </message>
    <message>
        <source>Mark filed…</source>
        <translation type="vanished">标记为已备案…</translation>
    </message>
    <message>
        <source>Record the selected changes as filed with the level above (undoable).</source>
        <translation type="vanished">将所选变动记录为已向上级备案（可撤销）。</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="vanished">刷新</translation>
    </message>
    <message>
        <source>e.g. Xincheng primary school</source>
        <translation type="vanished">例如：新城小学</translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="vanished">类别</translation>
    </message>
    <message>
        <source>Safety officer (grid head)</source>
        <translation type="vanished">安全负责人（网格长）</translation>
    </message>
    <message>
        <source>Officer&apos;s phone</source>
        <translation type="vanished">负责人电话</translation>
    </message>
    <message>
        <source>The unit&apos;s safety officer is recorded as the grid head of the dedicated grid (§3).</source>
        <translation type="vanished">单位安全负责人登记为该专属网格的网格长（§3）。</translation>
    </message>
    <message>
        <source>Valid to</source>
        <translation type="vanished">有效期至</translation>
    </message>
    <message>
        <source>Tianditu key</source>
        <translation type="vanished">天地图密钥</translation>
    </message>
    <message>
        <source>Tianditu tiles need your own key (apply at console.tianditu.gov.cn). The site you registered the key for is sent as the Referer header. Both stay in your QGIS settings.</source>
        <translation type="vanished">天地图瓦片需要使用您自己的密钥（在 console.tianditu.gov.cn 申请）。申请密钥时登记的网站地址将作为 Referer 请求头发送。两者都只保存在您的 QGIS 设置中。</translation>
    </message>
    <message>
        <source>Key (tk)</source>
        <translation type="vanished">密钥（tk）</translation>
    </message>
    <message>
        <source>Referer</source>
        <translation type="vanished">Referer（网站地址）</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation type="vanished">添加规则</translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation type="vanished">删除规则</translation>
    </message>
    <message>
        <source>Standard defaults</source>
        <translation type="vanished">规范默认值</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation type="vanished">还原</translation>
    </message>
    <message>
        <source>Save rules</source>
        <translation type="vanished">保存规则</translation>
    </message>
    <message>
        <source>Add a rule copied from the selected one</source>
        <translation type="vanished">复制所选规则并添加</translation>
    </message>
    <message>
        <source>Put the standard&apos;s thresholds (§7.3.3) in the table; Save to keep them</source>
        <translation type="vanished">将规范的阈值（§7.3.3）填入表中；点击“保存”后生效</translation>
    </message>
    <message>
        <source>Import and check reports appear here.</source>
        <translation type="vanished">导入和检查报告将显示在这里。</translation>
    </message>
    <message>
        <source>Add person</source>
        <translation type="vanished">添加人员</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation type="vanished">删除所选</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation type="vanished">导入…</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="vanished">撤销</translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="vanished">保存</translation>
    </message>
    <message>
        <source>Import a staff register from a CSV or Excel (.xlsx) file</source>
        <translation type="vanished">从 CSV 或 Excel（.xlsx）文件导入网格工作人员名单</translation>
    </message>
    <message>
        <source>{path} could not be opened as a vector layer.</source>
        <translation type="vanished">无法将 {path} 作为矢量图层打开。</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation type="vanished">意外错误：{error}</translation>
    </message>
    <message>
        <source>{path} is locked by another program; try again.</source>
        <translation type="vanished">{path} 被其他程序锁定，请稍后重试。</translation>
    </message>
    <message>
        <source>Could not save table {table} in {path}: {error}</source>
        <translation type="vanished">无法保存 {path} 中的表 {table}：{error}</translation>
    </message>
    <message>
        <source>Could not delete row {fid} of table {table}.</source>
        <translation type="vanished">无法删除表 {table} 的第 {fid} 行。</translation>
    </message>
    <message>
        <source>{path} is not a GeoPackage.</source>
        <translation type="vanished">{path} 不是 GeoPackage 文件。</translation>
    </message>
    <message>
        <source>Merged {count} grids into one.</source>
        <translation type="vanished">已将 {count} 个网格合并为一个。</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="vanished">已取消</translation>
    </message>
    <message>
        <source>Checks a grid workspace against the standard: each grid&apos;s geometry (null, not a polygon, invalid, several parts, holes, tiny or thin), overlaps within a level, gaps and parts beyond the parent between levels (level 3 in level 2 in level 1, dedicated grids in one village), coverage of the county boundary, grid codes, the size rules of §7.3.3 (the workspace&apos;s own thresholds) and staffing (§8.1, §8.2).

Input: a workspace GeoPackage, or separate polygon layers for the levels (each optional; a layer given here replaces the workspace&apos;s layer of that level). Layers need a &apos;code&apos; field and a projected CRS in metres, all the same. Size rules are checked when the level 3 grids have household counts, staffing when a workspace (with its staff register) is given.

Tolerances: pieces at or below the noise thresholds come from rounding and are never reported; pieces below the sliver thresholds are reported as slivers (warnings); larger ones as gaps and overlaps (errors).

Outputs: the findings as a polygon layer (the schema&apos;s audit_findings fields), a JSON report and a bilingual HTML report with a summary by rule and by township and village. Findings accepted as exceptions in the workspace (audit_exceptions) stay accepted while their geometry is unchanged. With &apos;Write findings to the workspace&apos; the workspace&apos;s audit_findings table is replaced by this run&apos;s.</source>
        <translation type="vanished">按规范检查网格工作空间：各网格的几何（为空、不是面、无效、多部件、含洞、过小或过窄），同一层级内的重叠，上下级之间的空隙和超出上级的部分（三级在二级内、二级在一级内，专属网格在某一个村内），对县界的覆盖，网格编码，§7.3.3 的规模标准（使用网格工作空间自身的阈值）以及人员配备（§8.1、§8.2）。

输入：网格工作空间 GeoPackage，或分别提供各层级的面图层（均可选；在此提供的图层将替代网格工作空间中同一层级的图层）。图层需有“code”字段，并统一采用以米为单位的同一投影坐标系。三级网格有户数统计时检查规模标准，提供网格工作空间（含网格工作人员名单）时检查人员配备。

容差：不超过噪声阈值的碎片来自坐标舍入，从不报告；小于狭长碎片阈值的作为狭长碎片报告（警告）；更大的作为空隙和重叠报告（错误）。

输出：问题面图层（字段同数据结构中的 audit_findings）、JSON 报告，以及按规则和按乡镇、村汇总的中英文 HTML 报告。在网格工作空间中已接受为例外的问题（audit_exceptions）只要几何不变就保持已接受。勾选“将问题写入网格工作空间”时，网格工作空间的 audit_findings 表将被本次审核结果替换。</translation>
    </message>
    <message>
        <source>Sliver area (m²): smaller gaps and overlaps are reported as slivers</source>
        <translation type="vanished">狭长碎片面积（平方米）：更小的空隙和重叠作为狭长碎片报告</translation>
    </message>
    <message>
        <source>Sliver width (m): thinner gaps and overlaps are reported as slivers</source>
        <translation type="vanished">狭长碎片宽度（米）：更窄的空隙和重叠作为狭长碎片报告</translation>
    </message>
    <message>
        <source>The source has no coordinate reference system: set its CRS first.</source>
        <translation type="vanished">数据源没有坐标参考系：请先设置其坐标参考系。</translation>
    </message>
    <message>
        <source>Writes the workspace as a filing package for the city: a GeoPackage in CGCS2000 (EPSG:4490 unless another exchange CRS is chosen) with the grid layers, the county boundary, the staff (personal phone numbers blanked unless included on purpose), optionally the households, the changes since the last filing, the findings of the latest audit and a metadata table (county, version, author, time, counts, audit summary). Export is refused while error findings of the latest audit are not accepted, unless an override reason is given; the reason is recorded in the package and in the workspace. The package is written to a temporary file, validated and then moved into place, so a failed export leaves a previous package intact.</source>
        <translation type="vanished">将网格工作空间导出为向市级报送的备案数据包：一个采用 CGCS2000 坐标系（EPSG:4490，也可选择其他交换坐标系）的 GeoPackage，包含各级网格图层、县界、网格工作人员（除非特意选择包含，个人电话号码将被清空）、可选的住户、上次备案以来的变动、最近一次审核的问题，以及元数据表（县、版本、制作人、时间、数量统计、审核摘要）。若最近一次审核存在未接受的错误级问题，将拒绝导出，除非填写强制导出理由；该理由会记录在数据包和网格工作空间中。数据包先写入临时文件，校验通过后再移动到目标位置，因此导出失败不会破坏原有的数据包。</translation>
    </message>
    <message>
        <source>Counts households, persons and relocated or registered-but-absent households per level 3 grid and rolls the totals up to level 2 and level 1 (by parent code); the counts are written to the grids&apos; fields households, population and relocated_households in the workspace.

Sources: household points (one household per point), building points with a household count field, or a table without geometry joined by grid code or, when the code is blank, by villager group name (narrowed by a village field when names repeat). Points in another CRS are transformed to the workspace CRS.

Rules: a point belongs to the level 3 grid that contains it, boundary included. A point on the shared boundary of several grids (or in an overlap) goes to the grid with the lowest code (or, if chosen, the grid whose centre is nearest) and is reported. A point outside every active level 3 grid, or without geometry, is not counted and is reported. Retired grids take no households and keep their counts. Relocated and absent fields may be yes/no flags (the point&apos;s households) or counts; relocated households = relocated + absent, at most the point&apos;s households. Missing or invalid numbers count as 0 and are reported. A grid whose parent code is not found is not rolled up and is reported.

Every active grid&apos;s counts are replaced, grids without households get 0. The findings (outside, boundary, unmatched rows …) go to the optional findings layer and the log.</source>
        <translation type="vanished">按三级网格统计户数、人数以及搬迁户和空挂户数，并按上级编码汇总到二级和一级网格；统计结果写入网格工作空间中各网格的 households、population 和 relocated_households 字段。

数据来源：住户点（每点一户）、带户数字段的楼栋点，或无几何的表格——按网格编码关联，编码为空时按村民小组名称关联（名称重复时可再用村字段区分）。其他坐标系的点会转换到网格工作空间坐标系。

规则：点归属于包含它的三级网格（含边界）。位于多个网格共同边界上（或重叠区内）的点归入编码最小的网格（也可选择中心最近的网格），并予以报告。位于所有有效三级网格之外或没有几何的点不计入，并予以报告。已撤销的网格不再接收住户，保留原有统计数。搬迁和空挂字段可以是“是/否”标志（表示该点的全部户数）或户数；搬迁户数 = 搬迁 + 空挂，且不超过该点的户数。缺失或无效的数值按 0 计，并予以报告。找不到上级编码的网格不参与汇总，并予以报告。

所有有效网格的统计数都会被替换，没有住户的网格记为 0。发现的问题（网格外、边界上、未匹配的记录等）输出到可选的问题图层和日志。</translation>
    </message>
    <message>
        <source>Community Grids needs shapely&apos;s own GEOS {expected}, but this QGIS process already uses GEOS {found}; mixing them fails. Start QGIS with shapely&apos;s GEOS preloaded, e.g. LD_PRELOAD=&quot;{preload}&quot; qgis (make qgis and scripts/qgis_process.sh do this).</source>
        <translation type="vanished">社区网格插件需要 shapely 自带的 GEOS {expected}，但当前 QGIS 进程已在使用 GEOS {found}；两者混用会出错。请在启动 QGIS 时预加载 shapely 的 GEOS，例如 LD_PRELOAD=&quot;{preload}&quot; qgis（make qgis 和 scripts/qgis_process.sh 已这样做）。</translation>
    </message>
    <message>
        <source>Community Grids needs shapely ≥ 2.2 with GEOS ≥ 3.14; this Python has shapely {shapely} with GEOS {geos}. Install it: {hint}</source>
        <translation type="vanished">社区网格插件需要 shapely ≥ 2.2 及 GEOS ≥ 3.14；当前 Python 中为 shapely {shapely}、GEOS {geos}。请安装：{hint}</translation>
    </message>
    <message>
        <source>Community Grids needs the Python package shapely ≥ 2.2 ({error}). Install it: {hint}</source>
        <translation type="vanished">社区网格插件需要 Python 包 shapely ≥ 2.2（{error}）。请安装：{hint}</translation>
    </message>
</context>
<context>
    <name>DecideChangeDialog</name>
    <message>
        <location filename="../ui/decide_change.ui" line="8"/>
        <source>Decide a change request</source>
        <translation>审批变更申请</translation>
    </message>
</context>
<context>
    <name>DedicatedGridDialog</name>
    <message>
        <location filename="../ui/dedicated_grid.ui" line="8"/>
        <source>Dedicated grid</source>
        <translation>专属网格</translation>
    </message>
    <message>
        <location filename="../ui/dedicated_grid.ui" line="14"/>
        <source>Type</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../ui/dedicated_grid.ui" line="23"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../ui/dedicated_grid.ui" line="29"/>
        <source>e.g. Xincheng primary school</source>
        <translation>例如：新城小学</translation>
    </message>
    <message>
        <location filename="../ui/dedicated_grid.ui" line="34"/>
        <source>Safety officer (grid head)</source>
        <translation>安全负责人（网格长）</translation>
    </message>
    <message>
        <location filename="../ui/dedicated_grid.ui" line="43"/>
        <source>Officer&apos;s phone</source>
        <translation>负责人电话</translation>
    </message>
    <message>
        <location filename="../ui/dedicated_grid.ui" line="54"/>
        <source>The unit&apos;s safety officer is recorded as the grid head of the dedicated grid (§3).</source>
        <translation>单位安全负责人登记为该专属网格的网格长（§3）。</translation>
    </message>
</context>
<context>
    <name>DivisionOptionsDialog</name>
    <message>
        <location filename="../ui/division_options.ui" line="2"/>
        <source>Propose level 3 division</source>
        <translation>自动划分三级网格</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="22"/>
        <source>Lines the boundaries should follow (roads, rivers, ridges, walls)</source>
        <translation>网格边界应沿循的线（道路、河流、山脊、围墙）</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="26"/>
        <source>Check the line layers of the project whose lines the grid boundaries should run along.</source>
        <translation>勾选项目中网格边界应沿其走向的线图层。</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="34"/>
        <source>Relocation sites</source>
        <translation>搬迁安置点</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="38"/>
        <source>Sites (points or polygons)</source>
        <translation>安置点（点或面）</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="47"/>
        <source>Household count field</source>
        <translation>户数字段</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="53"/>
        <source>Each point site&apos;s households (needed for points; polygons count the household points inside them).</source>
        <translation>每个点状安置点的户数（点位必填；面状安置点按其中的住户点计数）。</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="62"/>
        <source>The level 3 grids selected in the workspace&apos;s level 3 layer are kept as they are; the rest of their parent is divided again.</source>
        <translation>工作空间三级网格图层中选中的网格保持不变；其上级网格的其余部分重新划分。</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="70"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../ui/division_options.ui" line="76"/>
        <source>The same seed gives the same proposal.</source>
        <translation>相同的随机种子给出相同的划分方案。</translation>
    </message>
</context>
<context>
    <name>DivisionPreviewDialog</name>
    <message>
        <location filename="../ui/division_preview.ui" line="8"/>
        <source>Proposed level 3 division</source>
        <translation>三级网格自动划分方案</translation>
    </message>
    <message>
        <location filename="../ui/division_preview.ui" line="30"/>
        <source>Accepting replaces the present level 3 grids of these parents with the proposed ones, coded west to east, north to south, as one undoable edit of the level 3 layer: save the layer to keep it (the change log records it), or undo.</source>
        <translation>接受后，这些上级网格现有的三级网格将被方案中的网格取代，按自西向东、自北向南的顺序赋码，作为三级网格图层的一次可撤销编辑：保存图层即可保留（变更日志将记录），或撤销。</translation>
    </message>
    <message>
        <location filename="../ui/division_preview.ui" line="38"/>
        <source>Discard this proposal and choose the options again (lines, relocation sites, the selected grids to keep, seed)</source>
        <translation>放弃此方案，重新选择选项（沿循的线、搬迁安置点、要保留的选中网格、随机种子）</translation>
    </message>
    <message>
        <location filename="../ui/division_preview.ui" line="39"/>
        <source>Re-run…</source>
        <translation>重新划分…</translation>
    </message>
</context>
<context>
    <name>FilingExportDialog</name>
    <message>
        <location filename="../ui/filing_export.ui" line="6"/>
        <source>Export filing package</source>
        <translation>导出备案数据包</translation>
    </message>
    <message>
        <location filename="../ui/filing_export.ui" line="12"/>
        <source>Package</source>
        <translation>数据包</translation>
    </message>
    <message>
        <location filename="../ui/filing_export.ui" line="21"/>
        <source>Choose where the package is written</source>
        <translation>选择数据包的保存位置</translation>
    </message>
    <message>
        <location filename="../ui/filing_export.ui" line="28"/>
        <source>Include households</source>
        <translation>包含住户</translation>
    </message>
    <message>
        <location filename="../ui/filing_export.ui" line="33"/>
        <source>Include staff names</source>
        <translation>包含工作人员姓名</translation>
    </message>
    <message>
        <location filename="../ui/filing_export.ui" line="39"/>
        <source>Include staff phone numbers</source>
        <translation>包含工作人员电话号码</translation>
    </message>
    <message>
        <location filename="../ui/filing_export.ui" line="53"/>
        <source>Override reason (export despite unaccepted error findings)</source>
        <translation>强制导出理由（存在未接受的错误级问题时仍然导出）</translation>
    </message>
    <message>
        <location filename="../ui/filing_export.ui" line="58"/>
        <source>e.g. the county&apos;s deadline; the errors are fixed in the next filing</source>
        <translation>例如：县里规定的期限；错误将在下次备案时修正</translation>
    </message>
</context>
<context>
    <name>GridDock</name>
    <message>
        <location filename="../ui/grid_dock.ui" line="2"/>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="39"/>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="40"/>
        <source>Add a basemap</source>
        <translation>添加底图</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="62"/>
        <source>Work inside</source>
        <translation>在其内工作</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="63"/>
        <source>Work inside the selected grid</source>
        <translation>在所选网格内工作</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="71"/>
        <source>Give gaps to the neighbour with the longest shared boundary</source>
        <translation>将空隙划给共同边界最长的相邻网格</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="76"/>
        <source>Search by code or name</source>
        <translation>按编码或名称搜索</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="92"/>
        <source>After each edit, check the edited grids, their neighbours and parent (overlap, gap, outside, size)</source>
        <translation>每次编辑后检查所编辑的网格、相邻网格和上级网格（重叠、缺口、越界、规模）</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="93"/>
        <source>Live check</source>
        <translation>实时检查</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="115"/>
        <source>Draw grid</source>
        <translation>绘制网格</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="116"/>
        <source>Draw grid — Digitise a grid of the active level inside the active parent</source>
        <translation>绘制网格 — 在当前上级网格内绘制当前层级的网格</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="120"/>
        <source>Subdivide</source>
        <translation>细分</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="121"/>
        <source>Subdivide — Draw lines (Shift + right click for another) or a ring across a grid</source>
        <translation>细分 — 在网格上绘制切分线（Shift + 右键开始下一条）或闭合环</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="125"/>
        <source>Merge grids</source>
        <translation>合并网格</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="126"/>
        <source>Merge grids — Click adjacent grids, then right click to merge them</source>
        <translation>合并网格 — 依次点击相邻网格，然后右键合并</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="130"/>
        <source>Fill gap</source>
        <translation>填补空隙</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="131"/>
        <source>Fill gap — Click inside a gap of the active parent</source>
        <translation>填补空隙 — 在当前上级网格内的空隙中点击</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="135"/>
        <source>Move shared boundary</source>
        <translation>调整共同边界</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="136"/>
        <source>Move shared boundary — Draw the new course of a boundary between neighbours</source>
        <translation>调整共同边界 — 绘制相邻网格之间边界的新走向</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="140"/>
        <source>Dedicated grid</source>
        <translation>专属网格</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="141"/>
        <source>Dedicated grid — Draw a dedicated grid (school, factory…) inside a village</source>
        <translation>专属网格 — 在村（社区）内绘制专属网格（学校、厂区等）</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="145"/>
        <source>Fill all gaps of the active parent</source>
        <translation>填补当前上级网格内的所有空隙</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="145"/>
        <source>Fill all gaps</source>
        <translation>填补全部缺口</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="149"/>
        <source>Import grid boundaries…</source>
        <translation>导入网格边界…</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="37"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="153"/>
        <source>Open shared workspace (PostGIS)…</source>
        <translation>打开共享工作空间（PostGIS）…</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="154"/>
        <source>Shared workspace</source>
        <translation>共享工作空间</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="155"/>
        <source>Open a workspace kept in a PostgreSQL/PostGIS database, shared by the county and its townships</source>
        <translation>打开保存在 PostgreSQL/PostGIS 数据库中、由县和各乡镇共享的工作空间</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="158"/>
        <source>Tianditu vector map with labels</source>
        <translation>天地图矢量底图（含注记）</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="161"/>
        <source>Tianditu imagery with labels</source>
        <translation>天地图影像底图（含注记）</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="164"/>
        <source>OpenStreetMap</source>
        <translation>OpenStreetMap</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="167"/>
        <source>Local tiles or raster (offline)…</source>
        <translation>本地瓦片或栅格（离线）…</translation>
    </message>
    <message>
        <location filename="../ui/grid_dock.ui" line="170"/>
        <source>Tianditu key…</source>
        <translation>天地图密钥…</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../ui/import_dialog.ui" line="2"/>
        <source>Import grid boundaries</source>
        <translation>导入网格边界</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="15"/>
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="24"/>
        <source>…or file</source>
        <translation>…或选择文件</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="32"/>
        <source>Code field</source>
        <translation>编码字段</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="41"/>
        <source>Name field</source>
        <translation>名称字段</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="52"/>
        <source>Parent code field</source>
        <translation>上级编码字段</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="4"/>
        <source>Into level</source>
        <translation>导入到层级</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="69"/>
        <source>Level 1 (village/community)</source>
        <translation>一级网格（村/社区）</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="70"/>
        <source>Level 2 (section)</source>
        <translation>二级网格（片区）</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="71"/>
        <source>Level 3 (group/street/building)</source>
        <translation>三级网格（村民小组/街巷/楼栋）</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="72"/>
        <source>Dedicated grid</source>
        <translation>专属网格</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="79"/>
        <source>Boundaries traced from Amap, Tencent or other Chinese web maps are in GCJ-02, some hundreds of metres off.</source>
        <translation>从高德、腾讯等国内网络地图描绘的边界采用 GCJ-02 坐标，偏移可达数百米。</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="80"/>
        <source>Correct GCJ-02 (web map) coordinates to WGS84</source>
        <translation>将 GCJ-02（网络地图）坐标纠正为 WGS84</translation>
    </message>
    <message>
        <location filename="../ui/import_dialog.ui" line="85"/>
        <source>The grids are added to the workspace layer as one edit that you can undo; save the layer to keep them.</source>
        <translation>网格将作为一次可撤销的编辑添加到网格工作空间图层；保存图层后生效。</translation>
    </message>
</context>
<context>
    <name>InstallDependenciesDialog</name>
    <message>
        <location filename="../ui/install_dependencies.ui" line="9"/>
        <source>Community Grids: install shapely</source>
        <translation>社区网格：安装 shapely</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="21"/>
        <source>Install shapely from</source>
        <translation>shapely 的安装来源</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="25"/>
        <source>the package index (pip, as set up on this computer)</source>
        <translation>软件包索引（pip，按本机的设置）</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="31"/>
        <source>a plugin repository:</source>
        <translation>插件仓库：</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="37"/>
        <source>The address of the repository&apos;s plugins.xml (an intranet server works)</source>
        <translation>插件仓库 plugins.xml 的地址（可以是内网服务器）</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="42"/>
        <source>a wheel file:</source>
        <translation>wheel 文件：</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="47"/>
        <source>shapely-2.x-….whl</source>
        <translation>shapely-2.x-….whl</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="52"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="3"/>
        <source>Install</source>
        <translation>安装</translation>
    </message>
    <message>
        <location filename="../ui/install_dependencies.ui" line="84"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <location filename="../ui/jobs_panel.ui" line="8"/>
        <source>Open a grid workspace to start.</source>
        <translation>请打开一个网格工作空间开始工作。</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="14"/>
        <source>Shared workspace (PostGIS)</source>
        <translation>共享工作空间（PostGIS）</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="18"/>
        <source>Open shared workspace (PostGIS)…</source>
        <translation>打开共享工作空间（PostGIS）…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="19"/>
        <source>Open a workspace kept in a PostgreSQL/PostGIS database, shared by the county and its townships</source>
        <translation>打开保存在 PostgreSQL/PostGIS 数据库中、由县和各乡镇共享的工作空间</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="24"/>
        <source>Change requests…</source>
        <translation>变更申请…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="25"/>
        <source>Propose your township&apos;s edits, or approve and reject the townships&apos; change requests</source>
        <translation>提交本乡镇的编辑，或批准、驳回各乡镇的变更申请</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="33"/>
        <source>Data into the workspace</source>
        <translation>导入工作空间的数据</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="37"/>
        <source>Import boundaries…</source>
        <translation>导入边界…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="38"/>
        <source>Import grid boundaries from a file or layer into the open workspace</source>
        <translation>从文件或图层导入网格边界到当前工作空间</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="43"/>
        <source>Attach households…</source>
        <translation>挂接住户…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="44"/>
        <source>Count the households and persons of each grid from household points or a table</source>
        <translation>根据住户点或住户表统计每个网格的户数和人数</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="49"/>
        <source>Import staff…</source>
        <translation>导入工作人员…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="50"/>
        <source>Read a staff register (CSV or XLSX) into the workspace</source>
        <translation>将工作人员名册（CSV 或 XLSX）导入工作空间</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="55"/>
        <source>Allocate codes…</source>
        <translation>分配编码…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="56"/>
        <source>Give codes to the grids without one, after a preview</source>
        <translation>预览后为尚无编码的网格分配编码</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="64"/>
        <source>Filing</source>
        <translation>备案</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="68"/>
        <source>Export filing package…</source>
        <translation>导出备案数据包…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="69"/>
        <source>Write the filing package for the city (refused while error findings are not accepted)</source>
        <translation>写出报送市级的备案数据包（存在未接受的错误级问题时拒绝导出）</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="74"/>
        <source>Compare packages…</source>
        <translation>比较数据包…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="75"/>
        <source>What changed between two filing packages</source>
        <translation>两个备案数据包之间的变化</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="83"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="87"/>
        <source>Township or village</source>
        <translation>镇（街道）或村（社区）</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="92"/>
        <source>The township or village the notice map or permits are made for</source>
        <translation>制作公示图或工作证的镇（街道）或村（社区）</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="97"/>
        <source>Notice map…</source>
        <translation>公示图…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="98"/>
        <source>Print the public notice map (PDF) of the chosen township or village</source>
        <translation>打印所选镇（街道）或村（社区）的网格划分公示图（PDF）</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="103"/>
        <source>Work permits…</source>
        <translation>工作证…</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="104"/>
        <source>Print the grid heads&apos; work permits (PDF) of the chosen township or village</source>
        <translation>打印所选镇（街道）或村（社区）网格长的工作证（PDF）</translation>
    </message>
    <message>
        <location filename="../ui/jobs_panel.ui" line="119"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>MergeSurvivorDialog</name>
    <message>
        <location filename="../ui/merge_survivor.ui" line="7"/>
        <source>Merge grids</source>
        <translation>合并网格</translation>
    </message>
    <message>
        <location filename="../ui/merge_survivor.ui" line="11"/>
        <source>Choose the grid that lives on: it keeps its code, name and staff. The codes of the others are retired when the edits are saved.</source>
        <translation>请选择保留的网格：它保留自己的编码、名称和工作人员。其他网格的编码在保存编辑时撤销。</translation>
    </message>
    <message>
        <location filename="../ui/merge_survivor.ui" line="20"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../ui/merge_survivor.ui" line="21"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../ui/merge_survivor.ui" line="22"/>
        <source>Area (m²)</source>
        <translation>面积（平方米）</translation>
    </message>
    <message>
        <location filename="../ui/merge_survivor.ui" line="23"/>
        <source>Households</source>
        <translation>户数</translation>
    </message>
</context>
<context>
    <name>PgOpenDialog</name>
    <message>
        <location filename="../ui/pg_open.ui" line="8"/>
        <source>Open shared workspace (PostGIS)</source>
        <translation>打开共享工作空间（PostGIS）</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="12"/>
        <source>Choose one of your saved PostgreSQL connections (Browser → PostgreSQL) and the workspace schema in it. Your database user decides what you may change: the county role or one township.</source>
        <translation>选择一个已保存的 PostgreSQL 连接（浏览器 → PostgreSQL）及其中的工作空间模式。您的数据库用户决定可修改的范围：县级角色或某一乡镇。</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="20"/>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="29"/>
        <source>User</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="38"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="45"/>
        <source>as saved with the connection, or from your password file</source>
        <translation>留空则使用连接中保存的密码或密码文件</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="50"/>
        <source>Workspace schema</source>
        <translation>工作空间模式</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="66"/>
        <source>List workspaces</source>
        <translation>列出工作空间</translation>
    </message>
    <message>
        <location filename="../ui/pg_open.ui" line="67"/>
        <source>Connect and list the schemas of the database that hold a workspace you may read</source>
        <translation>连接数据库并列出其中您可读取的工作空间模式</translation>
    </message>
</context>
<context>
    <name>ProposeChangeDialog</name>
    <message>
        <location filename="../ui/propose_change.ui" line="8"/>
        <source>Propose a change request</source>
        <translation>提交变更申请</translation>
    </message>
    <message>
        <location filename="../ui/propose_change.ui" line="8"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../ui/propose_change.ui" line="35"/>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <location filename="../ui/propose_change.ui" line="40"/>
        <source>Reason for the change</source>
        <translation>变更理由</translation>
    </message>
</context>
<context>
    <name>RetireDialog</name>
    <message>
        <location filename="../ui/retire_grid.ui" line="8"/>
        <source>Retire grid</source>
        <translation>撤销网格</translation>
    </message>
    <message>
        <location filename="../ui/retire_grid.ui" line="20"/>
        <source>Valid to</source>
        <translation>有效期至</translation>
    </message>
</context>
<context>
    <name>RulesPanel</name>
    <message>
        <location filename="../ui/rules_panel.ui" line="22"/>
        <source>Add rule</source>
        <translation>添加规则</translation>
    </message>
    <message>
        <location filename="../ui/rules_panel.ui" line="23"/>
        <source>Add a rule copied from the selected one</source>
        <translation>复制所选规则并添加</translation>
    </message>
    <message>
        <location filename="../ui/rules_panel.ui" line="28"/>
        <source>Remove rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <location filename="../ui/rules_panel.ui" line="33"/>
        <source>Standard defaults</source>
        <translation>规范默认值</translation>
    </message>
    <message>
        <location filename="../ui/rules_panel.ui" line="34"/>
        <source>Put the standard&apos;s thresholds (§7.3.3) in the table; Save to keep them</source>
        <translation>将规范的阈值（§7.3.3）填入表中；点击“保存”后生效</translation>
    </message>
    <message>
        <location filename="../ui/rules_panel.ui" line="45"/>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <location filename="../ui/rules_panel.ui" line="50"/>
        <source>Save rules</source>
        <translation>保存规则</translation>
    </message>
</context>
<context>
    <name>StaffPanel</name>
    <message>
        <location filename="../ui/staff_panel.ui" line="17"/>
        <source>Add person</source>
        <translation>添加人员</translation>
    </message>
    <message>
        <location filename="../ui/staff_panel.ui" line="22"/>
        <source>Remove selected</source>
        <translation>删除所选</translation>
    </message>
    <message>
        <location filename="../ui/staff_panel.ui" line="27"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../ui/staff_panel.ui" line="28"/>
        <source>Import a staff register from a CSV or Excel (.xlsx) file</source>
        <translation>从 CSV 或 Excel（.xlsx）文件导入网格工作人员名单</translation>
    </message>
    <message>
        <location filename="../ui/staff_panel.ui" line="39"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../ui/staff_panel.ui" line="44"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../ui/staff_panel.ui" line="60"/>
        <source>Import and check reports appear here.</source>
        <translation>导入和检查报告将显示在这里。</translation>
    </message>
</context>
<context>
    <name>TiandituKeyDialog</name>
    <message>
        <location filename="../ui/tianditu_key.ui" line="8"/>
        <source>Tianditu key</source>
        <translation>天地图密钥</translation>
    </message>
    <message>
        <location filename="../ui/tianditu_key.ui" line="12"/>
        <source>Tianditu tiles need your own key (apply at console.tianditu.gov.cn). The site you registered the key for is sent as the Referer header. Both stay in your QGIS settings.</source>
        <translation>天地图瓦片需要使用您自己的密钥（在 console.tianditu.gov.cn 申请）。申请密钥时登记的网站地址将作为 Referer 请求头发送。两者都只保存在您的 QGIS 设置中。</translation>
    </message>
    <message>
        <location filename="../ui/tianditu_key.ui" line="20"/>
        <source>Key (tk)</source>
        <translation>密钥（tk）</translation>
    </message>
    <message>
        <location filename="../ui/tianditu_key.ui" line="12"/>
        <source>Referer</source>
        <translation>Referer（网站地址）</translation>
    </message>
</context>
</TS>
